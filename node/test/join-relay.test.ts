// Joining through the relay: two nodes with no DHT at all (swarm off) and one relay. A is
// bridged and invites; B joins with the code through A's relay pairing box, gets a relay key
// minted by A, then syncs through the relay only. Messages cross both ways, and what the relay
// stored for the pairing holds none of the team's secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningRelay, signup, startRelay, stopAllRelays } from '../../relay/test/relays.js'
import { readRelayAccess } from '../bridge/access.js'
import { PipeCodec } from '../bridge/pipe.js'
import { readIdentity } from '../data-dir.js'
import { joinThroughRelay } from '../join-relay.js'
import { decodeInviteCode, encodeInviteCode } from '../pairing.js'
import { bounded } from './bridge-support.js'
import { type Api, closeAll, eventually, openNode, type TestNode, tempDir } from './helpers.js'

async function contents(api: Api, channel: string): Promise<string[]> {
  const res = await api.call<{ messages: Array<{ content: string }> }>(
    'GET',
    `/api/channels/${channel}/messages`,
  )
  return res.status === 200 ? res.body.messages.map((m) => m.content).sort() : []
}

describe('handoff join --relay', () => {
  let relay: RunningRelay
  const nodes: TestNode[] = []
  let code = ''
  let joinedKey: string | null = null

  beforeAll(async () => {
    relay = await startRelay()
    const key = await signup(relay.url, 'join-relay')
    nodes.push(await openNode(await tempDir(), null, { name: 'alice', relay: { url: relay.url, key } }))
    const a = nodes[0] as TestNode
    code = (await a.api.ok<{ code: string }>('POST', '/api/node/invites', { name: 'bob' })).code
    const dir = await tempDir()
    const started = Date.now()
    const joined = await joinThroughRelay({ dataDir: dir, code, relay: relay.url, timeoutMs: 60_000 })
    console.info(`join through the relay: ${Date.now() - started} ms`)
    expect(joined).toMatchObject({ name: 'bob', role: 'member', team: { id: a.node.teamId } })
    joinedKey = joined.relay.key
    const access = await readRelayAccess(dir)
    expect(access).toEqual({ url: relay.url, key: joinedKey })
    nodes.push(await openNode(dir, null, { relay: access ?? undefined }))
  }, 120_000)

  afterAll(async () => {
    await bounded('close nodes', closeAll(nodes))
    await bounded('stop relays', stopAllRelays())
  })

  it('the joiner is a writer with a relay key of its own, and messages cross both ways', async () => {
    const [a, b] = nodes as [TestNode, TestNode]
    expect(joinedKey).toMatch(/\S{16,}/)
    expect(b.node.log.writable).toBe(true)
    expect(b.node.swarm).toBeNull()
    await b.api.ok('POST', '/api/channels/general/messages', { content: 'hello from bob' })
    await a.api.ok('POST', '/api/channels/general/messages', { content: 'hello from alice' })
    const both = ['hello from alice', 'hello from bob']
    await eventually(async () => expect(await contents(a.api, 'general')).toEqual(both), 45_000)
    await eventually(async () => expect(await contents(b.api, 'general')).toEqual(both), 45_000)
  })

  it("the member's relay key carries its role, not the relay's admin; its own acks still cross", async () => {
    const [a, b] = nodes as [TestNode, TestNode]
    const asBob = (path: string) =>
      fetch(`${relay.url}${path}`, { headers: { authorization: `Bearer ${joinedKey}` } })
    expect(await (await asBob('/api/whoami')).json()).toMatchObject({
      sender: 'bob',
      permissions: { '*': 'write' },
    })
    // the team's other keys, settings and audit log are the relay admin's
    expect((await asBob('/api/keys')).status).toBe(403)
    expect((await asBob('/api/audit')).status).toBe(403)
    // B cannot mint ack keys: its bridge acks as bob with its own key
    const page = await b.api.ok<{ messages: Array<{ id: string; content: string }> }>(
      'GET',
      '/api/channels/general/messages',
    )
    const fromAlice = page.messages.find((m) => m.content === 'hello from alice')
    await b.api.ok('POST', '/api/channels/general/ack', { last_read_id: fromAlice?.id })
    await eventually(async () => {
      const acks = (await (await asBob('/api/channels/general/acks')).json()) as Array<{ sender: string }>
      expect(acks.map((x) => x.sender)).toContain('bob')
    }, 30_000)
    // once: B with its own key, or A's admin bridge (which pulled B's ack and may know the relay
    // copy first) with a "bob" key it minted; the claim lets only one of them post it
    await new Promise((r) => setTimeout(r, 2_500)) // a second post would come within a poll
    const mirrored = (n: TestNode) => n.node.bridge?.status().messages?.acks_mirrored ?? 0
    expect(mirrored(a) + mirrored(b)).toBe(1)
  })

  it("a reader joined through the relay acks another member's message; relay clients see it", async () => {
    const a = nodes[0] as TestNode
    const invite = await a.api.ok<{ code: string }>('POST', '/api/node/invites', {
      name: 'carol',
      role: 'reader',
    })
    const dir = await tempDir()
    const joined = await joinThroughRelay({
      dataDir: dir,
      code: invite.code,
      relay: relay.url,
      timeoutMs: 60_000,
    })
    expect(joined.role).toBe('reader')
    const c = await openNode(dir, null, { relay: (await readRelayAccess(dir)) ?? undefined })
    nodes.push(c)
    const fromAlice = await eventually(async () => {
      const page = await c.api.ok<{ messages: Array<{ id: string; content: string }> }>(
        'GET',
        '/api/channels/general/messages',
      )
      const m = page.messages.find((x) => x.content === 'hello from alice')
      expect(m).toBeDefined()
      return m as { id: string }
    }, 30_000)
    await c.api.ok('POST', '/api/channels/general/ack', { last_read_id: fromAlice.id })
    const asCarol = (path: string) =>
      fetch(`${relay.url}${path}`, { headers: { authorization: `Bearer ${joined.relay.key}` } })
    await eventually(async () => {
      const acks = (await (await asCarol('/api/channels/general/acks')).json()) as Array<{ sender: string }>
      expect(acks.map((x) => x.sender)).toContain('carol')
    }, 30_000)
  })

  it('the relay stored only sealed frames: no team key, invite secret, names or relay key', async () => {
    const identity = await readIdentity(nodes[1]?.dir as string)
    const secret = decodeInviteCode(code)
    const box = new PipeCodec(secret).box
    const redis = relay.store.redis
    const stored: Buffer[] = []
    for (const side of ['i', 'j']) {
      const entries = (await redis.xrange(`hf:pair:{${box}}:${side}`, '-', '+')) as Array<[string, string[]]>
      for (const [, fields] of entries) stored.push(Buffer.from(fields[1] ?? '', 'base64'))
    }
    expect(stored.length).toBeGreaterThan(2)
    const all = Buffer.concat(stored)
    const secrets = [
      Buffer.from(identity?.team.key ?? '', 'hex'),
      secret,
      Buffer.from(identity?.device.publicKey ?? '', 'hex'),
      Buffer.from(joinedKey ?? 'x'),
      Buffer.from('bob'),
    ]
    for (const s of secrets) expect(all.includes(s)).toBe(false)
  })

  it('a code nobody holds gets no answer and leaves no data dir behind', async () => {
    const dir = await tempDir()
    const fake = encodeInviteCode(Buffer.alloc(32, 7))
    await expect(
      joinThroughRelay({ dataDir: dir, code: fake, relay: relay.url, timeoutMs: 3_000 }),
    ).rejects.toThrow(/no answer through the relay/)
    expect(await readIdentity(dir)).toBeNull()
  })

  it('removing the member revokes the relay key its inviter minted for it', async () => {
    const [a, b] = nodes as [TestNode, TestNode]
    const device = b.node.identity.device.publicKey
    const works = async () =>
      (await fetch(`${relay.url}/api/channels`, { headers: { authorization: `Bearer ${joinedKey}` } })).status
    expect(await works()).toBe(200)
    await a.api.ok('DELETE', `/api/node/members/${device}`)
    await eventually(async () => expect(await works()).toBe(401), 20_000)
  })
})
