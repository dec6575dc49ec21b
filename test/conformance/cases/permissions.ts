// The permission matrix: read < write < admin per channel or "*", a channel entry overriding
// "*", team-level routes needing "*": "admin", and an explicitly empty map granting nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Permissions } from '../../../sdk/api/types.js'
import type { Fixture, TestKey } from '../fixture.js'
import { expectError, expectStatus, type HttpResult, openStream, seg } from '../http.js'

type Level = 'read' | 'write' | 'admin' | 'team'

interface Action {
  name: string
  needs: Level
  run(f: Fixture, key: TestKey, ch: string): Promise<HttpResult>
}

// Each action prepares what it needs with the admin key, so allowed and denied runs are alike.
const ACTIONS: Action[] = [
  { name: 'GET messages', needs: 'read', run: (_f, k, ch) => k.client.get(`/api/channels/${ch}/messages`) },
  {
    name: 'GET thread',
    needs: 'read',
    run: async (f, k, ch) => {
      const parent = await f.post(f.admin, ch, 'parent')
      return k.client.get(`/api/channels/${ch}/threads/${seg(parent.id)}`)
    },
  },
  { name: 'GET acks', needs: 'read', run: (_f, k, ch) => k.client.get(`/api/channels/${ch}/acks`) },
  { name: 'GET unread', needs: 'read', run: (_f, k, ch) => k.client.get(`/api/channels/${ch}/unread`) },
  { name: 'GET status', needs: 'read', run: (_f, k, ch) => k.client.get(`/api/channels/${ch}/status`) },
  {
    name: 'GET status changes',
    needs: 'read',
    run: (_f, k, ch) => k.client.get(`/api/channels/${ch}/status/changes`),
  },
  {
    name: 'GET stream',
    needs: 'read',
    run: async (f, k, ch) => {
      const stream = await openStream(f.streamUrl(ch, { token: k.secret }))
      stream.close()
      return {
        status: stream.status,
        headers: stream.headers,
        text: JSON.stringify(stream.body ?? {}),
        body: stream.body,
      }
    },
  },
  {
    name: 'POST message',
    needs: 'write',
    run: (_f, k, ch) => k.client.post(`/api/channels/${ch}/messages`, { content: 'x' }),
  },
  {
    name: 'POST ack',
    needs: 'write',
    run: async (f, k, ch) => {
      const message = await f.post(f.admin, ch, 'to ack')
      return k.client.post(`/api/channels/${ch}/ack`, { last_read_id: message.id })
    },
  },
  {
    name: 'PUT status',
    needs: 'write',
    run: (_f, k, ch) => k.client.put(`/api/channels/${ch}/status`, { key: 'k', value: 'v' }),
  },
  {
    name: "DELETE someone else's message",
    needs: 'admin',
    run: async (f, k, ch) => {
      const message = await f.post(f.admin, ch, 'victim')
      return k.client.delete(`/api/channels/${ch}/messages/${seg(message.id)}`)
    },
  },
  {
    name: 'DELETE status key',
    needs: 'admin',
    run: async (f, k, ch) => {
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: 'gone', value: 'v' }), 200)
      return k.client.delete(`/api/channels/${ch}/status/gone`)
    },
  },
  {
    name: 'DELETE channel',
    needs: 'admin',
    run: async (f, k, ch) => {
      // (re)create it; 200 vs 201 is checked in the channel tests, not here
      expect([200, 201]).toContain((await f.admin.post('/api/channels', { name: ch })).status)
      const res = await k.client.delete(`/api/channels/${ch}`)
      await f.admin.post('/api/channels', { name: ch })
      return res
    },
  },
  {
    name: 'POST /api/channels',
    needs: 'team',
    run: (f, k) => k.client.post('/api/channels', { name: f.channel('pm') }),
  },
  { name: 'GET /api/keys', needs: 'team', run: (_f, k) => k.client.get('/api/keys') },
  { name: 'GET /api/audit', needs: 'team', run: (_f, k) => k.client.get('/api/audit') },
]

const RANK = { none: 0, read: 1, write: 2, admin: 3 } as const

interface Profile {
  name: string
  permissions: (ch: string) => Permissions
  /** the level this profile has on the test channel, and whether it has "*": "admin" */
  onChannel: keyof typeof RANK
  team: boolean
}

const PROFILES: Profile[] = [
  { name: '{ch: read}', permissions: (ch) => ({ [ch]: 'read' }), onChannel: 'read', team: false },
  { name: '{ch: write}', permissions: (ch) => ({ [ch]: 'write' }), onChannel: 'write', team: false },
  { name: '{ch: admin}', permissions: (ch) => ({ [ch]: 'admin' }), onChannel: 'admin', team: false },
  { name: '{*: read}', permissions: () => ({ '*': 'read' }), onChannel: 'read', team: false },
  { name: '{*: write}', permissions: () => ({ '*': 'write' }), onChannel: 'write', team: false },
  { name: '{*: admin}', permissions: () => ({ '*': 'admin' }), onChannel: 'admin', team: true },
  {
    name: '{*: admin, ch: read}',
    permissions: (ch) => ({ '*': 'admin', [ch]: 'read' }),
    onChannel: 'read',
    team: true,
  },
  {
    name: '{other: admin}',
    permissions: () => ({ 'some-other-channel': 'admin' }),
    onChannel: 'none',
    team: false,
  },
  { name: '{} (empty map)', permissions: () => ({}), onChannel: 'none', team: false },
]

function allowed(profile: Profile, action: Action): boolean {
  if (action.needs === 'team') return profile.team
  return RANK[profile.onChannel] >= RANK[action.needs]
}

export function permissionCases(f: Fixture): void {
  describe('permission matrix', () => {
    const ch = f.channel('perm')
    const keys = new Map<string, TestKey>()
    beforeAll(async () => {
      expectStatus(await f.admin.post('/api/channels', { name: ch }), 201)
      for (const profile of PROFILES) keys.set(profile.name, await f.key('perm', profile.permissions(ch)))
    })

    const cases = PROFILES.flatMap((profile) =>
      ACTIONS.map((action) => ({
        profile,
        action,
        label: allowed(profile, action) ? 'allowed' : '403 FORBIDDEN',
      })),
    )
    it.each(cases)('$profile.name: $action.name is $label', async ({ profile, action }) => {
      const res = await action.run(f, keys.get(profile.name)!, ch)
      if (allowed(profile, action)) {
        expect(res.status, `${res.status} ${res.text}`).toBeGreaterThanOrEqual(200)
        expect(res.status, `${res.status} ${res.text}`).toBeLessThan(300)
      } else {
        expectError(res, 403, 'FORBIDDEN')
      }
    })

    it('GET /api/channels lists only the channels a scoped key may read', async () => {
      const reader = await f.key('perm-list', { [ch]: 'read' })
      const list = expectStatus(await reader.client.get('/api/channels'), 200)
      expect(list.map((c: any) => c.name)).toEqual([ch])
    })

    it('an empty permission map lists no channel', async () => {
      const nobody = await f.key('perm-none', {})
      const res = await nobody.client.get('/api/channels')
      if (res.status === 200) expect(res.body).toEqual([])
      else expectError(res, 403, 'FORBIDDEN')
    })

    it('an empty permission map sees no status across channels', async () => {
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: 'seen', value: 'v' }), 200)
      const nobody = await f.key('perm-none-status', {})
      const res = await nobody.client.get('/api/status')
      if (res.status === 200) expect(res.body).toEqual([])
      else expectError(res, 403, 'FORBIDDEN')
    })

    it('a denied write stores nothing', async () => {
      const reader = await f.key('perm-nothing', { [ch]: 'read' })
      const content = `denied-${ch}`
      expectError(await reader.client.post(`/api/channels/${ch}/messages`, { content }), 403, 'FORBIDDEN')
      const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?limit=100`), 200)
      expect(page.messages.map((m: any) => m.content)).not.toContain(content)
    })
  })
}
