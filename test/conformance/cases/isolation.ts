// Team isolation: nothing of one team is visible to or changeable by another team's keys.
// Runs only when the target can make a second team (the relay; a node holds one team).
import { beforeAll, describe, expect, it } from 'vitest'
import type { Message } from '../../../sdk/api/types.js'
import type { Fixture, TestKey } from '../fixture.js'
import { Client, expectError, expectStatus, openStream, seg } from '../http.js'

export function isolationCases(f: Fixture, canMakeTeams: boolean): void {
  if (!canMakeTeams) return
  describe('team isolation', () => {
    const ch = f.channel('iso')
    let other: Client
    let otherSecret: string
    let message: Message
    let memberA: TestKey
    beforeAll(async () => {
      const team = await f.server.newTeam!()
      otherSecret = team.adminKey
      other = new Client(f.url, team.adminKey)
      memberA = await f.key('iso-a')
      message = await f.post(f.admin, ch, 'team a only')
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: `iso-${ch}`, value: 'a' }), 200)
    })

    it("another team reading the same channel name sees none of this team's messages", async () => {
      const page = expectStatus(await other.get(`/api/channels/${ch}/messages?after_id=0`), 200)
      expect(page.messages).toEqual([])
    })

    it("another team's channel list does not include this team's channels", async () => {
      const list = expectStatus(await other.get('/api/channels'), 200)
      expect(list.map((c: any) => c.name)).not.toContain(ch)
    })

    it("another team's key list does not include this team's keys", async () => {
      const res = await other.get('/api/keys')
      const list = expectStatus(res, 200)
      expect(list.map((k: any) => k.key)).not.toContain(memberA.id)
      expect(res.text).not.toContain(memberA.sender)
    })

    it("another team cannot change or revoke this team's key: 404 KEY_NOT_FOUND, key unchanged", async () => {
      const put = await other.put(`/api/keys/${seg(memberA.id)}/permissions`, { permissions: {} })
      expectError(put, 404, 'KEY_NOT_FOUND')
      expectError(await other.delete(`/api/keys/${seg(memberA.id)}`), 404, 'KEY_NOT_FOUND')
      expectStatus(await memberA.client.post(`/api/channels/${ch}/messages`, { content: 'still admin' }), 201)
    })

    it("another team cannot read, reply to or delete this team's message", async () => {
      const created = await other.post('/api/channels', { name: ch })
      expect([200, 201]).toContain(created.status)
      expectError(await other.get(`/api/channels/${ch}/threads/${seg(message.id)}`), 404, 'MESSAGE_NOT_FOUND')
      const reply = await other.post(`/api/channels/${ch}/messages`, { content: 'x', thread_id: message.id })
      expectError(reply, 404, 'THREAD_PARENT_NOT_FOUND')
      expectError(
        await other.delete(`/api/channels/${ch}/messages/${seg(message.id)}`),
        404,
        'MESSAGE_NOT_FOUND',
      )
      const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?after_id=0`), 200)
      expect(page.messages.map((m: Message) => m.id)).toContain(message.id)
    })

    it("another team sees none of this team's statuses", async () => {
      const res = await other.get('/api/status')
      expectStatus(res, 200)
      expect(res.text).not.toContain(`iso-${ch}`)
    })

    it("another team's audit log holds none of this team's denials", async () => {
      const reader = await f.key('iso-denied', { nothing: 'read' })
      expectError(await reader.client.get(`/api/channels/${ch}/messages`), 403, 'FORBIDDEN')
      const res = await other.get('/api/audit?limit=100')
      expectStatus(res, 200)
      expect(res.text).not.toContain(reader.sender)
    })

    it("another team's stream on the same channel name gets none of this team's events", async () => {
      const stream = await openStream(f.streamUrl(ch, { token: otherSecret }))
      expect(stream.status).toBe(200)
      const mine = await openStream(f.streamUrl(ch, { token: f.server.adminKey }))
      const posted = await f.post(f.admin, ch, 'private')
      await mine.waitFor((e) => e.json?.id === posted.id)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(stream.events.filter((e) => e.data.includes(posted.id))).toEqual([])
    })
  })
}
