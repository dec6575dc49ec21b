// Membership: removing a member rotates the content key; the removed device can open nothing
// written after, the others can; what the removed device still writes is dropped everywhere.
// Also: envelopes that fail verification never reach the view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKeyPair, OpType, sealEnvelope } from '../../sdk/protocol/index.js'
import { sealContent } from '../log/ops.js'
import {
  type Api,
  closeAll,
  eventually,
  startTeam,
  startTestnet,
  type TestNode,
  type Testnet,
} from './helpers.js'

describe('membership and verification', () => {
  let testnet: Testnet
  let nodes: TestNode[]
  let a: Api
  let b: Api
  let c: Api

  beforeAll(async () => {
    testnet = await startTestnet()
    nodes = await startTeam(3, testnet)
    ;[a, b, c] = nodes.map((n) => n.api) as [Api, Api, Api]
  }, 120_000)

  afterAll(async () => {
    await closeAll(nodes ?? [])
    await testnet?.destroy()
  })

  const ids = async (api: Api, channel: string) =>
    (await api.ok('GET', `/api/channels/${channel}/messages?limit=100`)).messages.map(
      (m: { id: string }) => m.id,
    )

  it('lists the members with their names and roles', async () => {
    const members = await a.ok('GET', '/api/node/members')
    expect(members.map((m: { name: string }) => m.name).sort()).toEqual(['alice', 'bob', 'carol'])
    expect(members.find((m: { self: boolean }) => m.self)).toMatchObject({ name: 'alice', role: 'admin' })
  })

  it('a forged, tampered or foreign envelope is dropped on every node', async () => {
    const [na, nb] = nodes as [TestNode, TestNode]
    const keys = na.node.store.keys
    const good = sealContent(keys, {
      type: OpType.Message,
      channel: 'sec',
      body: { content: 'genuine', sender: 'alice' },
    })
    const tampered = Buffer.from(good.bytes)
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] as number) ^ 1 // a ciphertext byte
    const stranger = sealEnvelope(
      {
        type: OpType.Message,
        team: keys.teamId,
        channel: 'sec',
        epoch: 0,
        body: Buffer.from('{"content":"x","sender":"eve"}'),
      },
      { epochKey: keys.epochKey(0) as Buffer, signer: generateSigningKeyPair() },
    )
    const otherTeam = sealEnvelope(
      { type: OpType.Message, team: Buffer.alloc(32, 9), channel: 'sec', epoch: 0, body: Buffer.from('{}') },
      { epochKey: keys.epochKey(0) as Buffer, signer: keys.device },
    )
    for (const bytes of [tampered, stranger.bytes, otherTeam.bytes, Buffer.from('not an envelope')]) {
      await na.node.log.append(bytes)
    }
    await na.node.log.append(good.bytes)
    await na.node.log.append(good.bytes) // the same operation twice: applied once
    for (const api of [a, b]) {
      await eventually(async () => {
        const page = await api.ok('GET', '/api/channels/sec/messages')
        expect(page.messages.map((m: { content: string }) => m.content)).toEqual(['genuine'])
      })
    }
    expect(await nb.node.store.reader.get(`x/${stranger.id.toString('hex')}`)).toMatchObject({
      reason: 'author is not a member',
    })
  })

  it('after C is removed, C cannot open new messages; A and B can', async () => {
    const before = await c.ok('POST', '/api/channels/plan/messages', { content: 'before removal' })
    await eventually(async () => expect(await ids(a, 'plan')).toContain(before.id))
    const carol = (await a.ok('GET', '/api/node/members')).find((m: { name: string }) => m.name === 'carol')
    const { epoch } = await a.ok('DELETE', `/api/node/members/${carol.device}`)
    expect(epoch).toBe(1)
    const secret = await a.ok('POST', '/api/channels/plan/messages', { content: 'after removal' })
    await eventually(async () => {
      const page = await b.ok('GET', '/api/channels/plan/messages')
      expect(page.messages.find((m: { id: string }) => m.id === secret.id)?.content).toBe('after removal')
    })
    // C still replicates the log (ciphertext) but holds no key for epoch 1
    await eventually(async () => {
      const page = await c.ok('GET', '/api/channels/plan/messages')
      const m = page.messages.find((x: { id: string }) => x.id === secret.id)
      expect(m).toBeDefined()
      expect(m.encrypted).toBe(true)
      expect(m.content).toMatch(/^hf1:/)
      expect(m.content).not.toContain('after removal')
    })
    expect(nodes[2]?.node.store.keys.epochKey(1)).toBeNull()
    // C has applied its own removal by now: its node refuses to write (it is no writer any more,
    // and its own apply would drop the operation like every other replica does)
    const late = await c.call('POST', '/api/channels/plan/messages', { content: 'from the removed' })
    expect([403, 503]).toContain(late.status)
    expect(await ids(a, 'plan')).toEqual(await ids(b, 'plan'))
  })
})
