// Membership: removing a member rotates the content key and closes the swarm to the removed
// device (it replicates nothing more); the others still replicate, and new members still join.
// Also: envelopes that fail verification never reach the view.
import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKeyPair, OpType, sealEnvelope } from '../../sdk/protocol/index.js'
import { joinTeam } from '../join.js'
import { packBlocks } from '../log/blocks.js'
import { sealContent } from '../log/ops.js'
import { type Api, eventually, openNode, type TestNode, tempDir } from './helpers.js'
import { teamOnTestnet } from './team-fixture.js'

describe('membership and verification', () => {
  const team = teamOnTestnet(3)
  let a: Api
  let b: Api
  let c: Api

  beforeAll(() => {
    ;[a, b, c] = team.nodes.map((n) => n.api) as [Api, Api, Api]
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
    const [na, nb] = team.nodes as [TestNode, TestNode]
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

  it('checks each envelope of a batch block alone, and drops a malformed batch whole', async () => {
    const [na, nb] = team.nodes as [TestNode, TestNode]
    const keys = na.node.store.keys
    const seal = (content: string) =>
      sealContent(keys, { type: OpType.Message, channel: 'batch', body: { content, sender: 'alice' } })
    const first = seal('first')
    const second = seal('second')
    const forged = Buffer.from(seal('forged').bytes)
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1 // a signature byte
    const before = na.node.log.base.local.length
    // one append: the four share one block (node/log/blocks.ts)
    await na.node.log.append([first.bytes, forged, second.bytes, first.bytes])
    expect(na.node.log.base.local.length - before).toBe(1)
    // a batch of two genuine envelopes with one byte too many: dropped whole, nothing after it lost
    const [packed] = packBlocks([seal('lost one').bytes, seal('lost two').bytes]) as [Buffer]
    const malformed = Buffer.concat([packed, Buffer.from([1])])
    await na.node.log.base.append(malformed)
    const third = seal('third')
    await na.node.log.append(third.bytes)
    for (const api of [a, b]) {
      await eventually(async () => {
        const page = await api.ok('GET', '/api/channels/batch/messages')
        expect(page.messages.map((m: { content: string }) => m.content)).toEqual(['first', 'second', 'third'])
      })
    }
    const malformedId = createHash('sha256').update(malformed).digest('hex')
    expect(await nb.node.store.reader.get(`x/${malformedId}`)).toMatchObject({ type: 0 })
    const forgedId = createHash('sha256').update(forged).digest('hex')
    expect(await nb.node.store.reader.get(`x/${forgedId}`)).toMatchObject({ type: 0 })
  })

  /** How many blocks of `writer`'s core `on` holds (its local copy, replicated or not). */
  const copied = async (on: TestNode, writer: TestNode): Promise<number> => {
    const core = on.node.corestore.get({ key: writer.node.log.writerKey })
    await core.ready()
    const length = core.length
    await core.close()
    return length
  }
  const connectedTo = (node: TestNode, peer: Buffer) =>
    [...(node.node.swarm?.swarm.connections ?? [])].some((conn) => conn.remotePublicKey.equals(peer))

  it('after C is removed, C gets none of the team log: A and B still replicate, a new member joins', async () => {
    const [A, B, C] = team.nodes as [TestNode, TestNode, TestNode]
    const before = await c.ok('POST', '/api/channels/plan/messages', { content: 'before removal' })
    await eventually(async () => expect(await ids(a, 'plan')).toContain(before.id))
    const carolSwarm = C.node.swarm?.publicKey as Buffer
    await eventually(async () => expect(connectedTo(A, carolSwarm)).toBe(true))
    const carol = (await a.ok('GET', '/api/node/members')).find((m: { name: string }) => m.name === 'carol')
    const { epoch } = await a.ok('DELETE', `/api/node/members/${carol.device}`)
    expect(epoch).toBe(1)
    // the swarm firewall: A drops C's connection as soon as its view has the removal, B once it
    // replicated the removal from A
    await eventually(async () => {
      expect(connectedTo(A, carolSwarm)).toBe(false)
      expect(connectedTo(B, carolSwarm)).toBe(false)
    })
    const secret = await a.ok('POST', '/api/channels/plan/messages', { content: 'after removal' })
    await eventually(async () => {
      const page = await b.ok('GET', '/api/channels/plan/messages')
      expect(page.messages.find((m: { id: string }) => m.id === secret.id)?.content).toBe('after removal')
    })

    // C comes back and dials its remembered peers; A restarts too, so it refuses C by C's proof
    // (not only by the swarm key it saw C use before)
    const held = { a: await copied(C, A), b: await copied(C, B) }
    await A.restart()
    await C.restart()
    a = A.api
    c = C.api
    // a restarted writer is writable again once its log caught up its own tail
    await eventually(async () => expect(A.node.log.writable).toBe(true), 30_000)
    const later = await a.ok('POST', '/api/channels/plan/messages', { content: 'after the restart' })
    await eventually(async () => expect(await ids(b, 'plan')).toContain(later.id), 30_000)
    // B has A's new blocks; give C the same time again, then C must hold no more than before
    const waited = Date.now()
    await eventually(async () => expect(Date.now() - waited).toBeGreaterThan(3000))
    expect(await copied(C, A)).toBe(held.a)
    expect(await copied(C, B)).toBe(held.b)
    const seen = await ids(c, 'plan')
    expect(seen).not.toContain(secret.id)
    expect(seen).not.toContain(later.id)
    expect(C.node.store.keys.epochKey(1)).toBeNull()
    expect(C.node.status().peers).toBe(0)
    // what C still writes (if it does not know it was removed) reaches no one
    const late = await c.call('POST', '/api/channels/plan/messages', { content: 'from the removed' })
    expect(await ids(a, 'plan')).not.toContain(late.body?.id)
    expect(await ids(a, 'plan')).toEqual(await ids(b, 'plan'))

    // a fresh invite still pairs and joins through the firewall, and the new member reads epoch 1
    const invite = await a.ok<{ code: string }>('POST', '/api/node/invites', { name: 'dave' })
    const dir = await tempDir()
    await joinTeam({ dataDir: dir, code: invite.code, bootstrap: team.testnet.bootstrap, timeoutMs: 60_000 })
    const D = await openNode(dir, team.testnet)
    team.nodes.push(D)
    await eventually(async () => {
      const page = await D.api.ok('GET', '/api/channels/plan/messages')
      expect(page.messages.find((m: { id: string }) => m.id === later.id)?.content).toBe('after the restart')
    }, 30_000)
    const hello = await D.api.ok('POST', '/api/channels/plan/messages', { content: 'hello from dave' })
    await eventually(async () => expect(await ids(b, 'plan')).toContain(hello.id), 30_000)
  }, 120_000)
})
