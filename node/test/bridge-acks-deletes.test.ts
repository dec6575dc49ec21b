// Acks and message deletes between node users and HTTP-only clients of the relay, through the
// bridges of two swarm-less nodes (A the admin who created the team, B a member): each crosses
// once (although both nodes bridge), lands under the right sender, and never comes back.
import { beforeAll, describe, expect, it } from 'vitest'
import { Handoff } from '../../sdk/client/index.js'
import { bridgedTeam, messagesOf } from './bridge-support.js'
import { type Api, eventually, type TestNode } from './helpers.js'

type Msg = { id: string; content: string }
type Ack = { sender: string; last_read_id: string }

const read = (api: Api, channel: string) => messagesOf<Msg>(api, channel)

async function nodeAcks(api: Api, channel: string): Promise<Ack[]> {
  const res = await api.call<Ack[]>('GET', `/api/channels/${channel}/acks`)
  return res.status === 200 ? res.body : []
}

describe('relay bridge: acks and deletes with HTTP-only clients', { timeout: 120_000 }, () => {
  const team = bridgedTeam('bridge-acks')
  let admin: Handoff
  let bot: Handoff

  const stats = () => team.nodes.map((n) => n.node.bridge?.status().messages)
  const sum = (field: 'acks_mirrored' | 'acks_imported' | 'deletes_imported') =>
    stats().reduce((s, m) => s + (m?.[field] ?? 0), 0)

  beforeAll(async () => {
    admin = new Handoff({ apiUrl: team.relay.url, apiKey: team.relayKey })
    bot = new Handoff({
      apiUrl: team.relay.url,
      apiKey: (await admin.createKey('ci-bot', { '*': 'write' })).api_key,
    })
    await admin.createChannel('reads')
  })

  it("an HTTP client's ack reaches both nodes once, under its sender, and is not sent back", async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    const posted = await bot.post('reads', 'please review')
    const onNodes: Msg[] = []
    for (const n of [a, b]) {
      onNodes.push(
        await eventually(async () => {
          const m = (await read(n.api, 'reads')).find((x) => x.content === 'please review')
          expect(m).toBeDefined()
          return m as Msg
        }),
      )
    }
    expect(onNodes[0]?.id).toBe(onNodes[1]?.id)
    await bot.ack('reads', posted.id)
    for (const n of [a, b]) {
      await eventually(async () =>
        expect(await nodeAcks(n.api, 'reads')).toEqual([
          expect.objectContaining({ sender: 'ci-bot', last_read_id: onNodes[0]?.id }),
        ]),
      )
    }
    await new Promise((r) => setTimeout(r, 3_000)) // a second import or an echo would land by now
    expect(sum('acks_imported')).toBe(1)
    expect(sum('acks_mirrored')).toBe(0)
    expect(await admin.getAcks('reads')).toEqual([expect.objectContaining({ sender: 'ci-bot' })])
  })

  it("a node user's ack reaches relay clients under the node sender's name, once", async () => {
    const [a] = team.nodes as [TestNode]
    const mine = await a.api.ok<Msg>('POST', '/api/channels/reads/messages', { content: 'deployed' })
    const relayCopy = await eventually(async () => {
      const m = (await admin.read('reads')).messages.find(
        (x) => x.content.startsWith('hf1:') || x.content === 'deployed',
      )
      expect(m).toBeDefined()
      return m as { id: string }
    })
    await a.api.ok('POST', '/api/channels/reads/ack', { last_read_id: mine.id })
    await eventually(async () =>
      expect(await admin.getAcks('reads')).toEqual(
        expect.arrayContaining([expect.objectContaining({ sender: 'alice', last_read_id: relayCopy.id })]),
      ),
    )
    await new Promise((r) => setTimeout(r, 3_000))
    expect(sum('acks_mirrored')).toBe(1)
    expect(sum('acks_imported')).toBe(1) // still only the HTTP client's: the mirror did not come back
    for (const n of team.nodes) {
      const acks = await nodeAcks(n.api, 'reads')
      expect(acks.find((x) => x.sender === 'alice')?.last_read_id).toBe(mine.id)
    }
  })

  it("an HTTP client's delete reaches both nodes once; a node delete is not imported back", async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    const doomed = await bot.post('reads', 'wrong build link')
    for (const n of [a, b]) {
      await eventually(async () =>
        expect((await read(n.api, 'reads')).map((m) => m.content)).toContain('wrong build link'),
      )
    }
    await bot.deleteMessage('reads', doomed.id)
    for (const n of [a, b]) {
      await eventually(
        async () =>
          expect((await read(n.api, 'reads')).map((m) => m.content)).not.toContain('wrong build link'),
        30_000,
      )
    }
    // a node message deleted by a relay admin client goes too (an SDK client with the epoch
    // keys finds its relay copy by its text)
    const sealed = new Handoff({
      apiUrl: team.relay.url,
      apiKey: team.relayKey,
      encryptionKey: { epochs: a.node.identity.epochs },
    })
    const nodeMsg = await b.api.ok<Msg>('POST', '/api/channels/reads/messages', {
      content: 'from bob, to go',
    })
    const copy = await eventually(async () => {
      const m = (await sealed.read('reads')).messages.find((x) => x.content === 'from bob, to go')
      expect(m).toBeDefined()
      return m as { id: string }
    })
    await admin.deleteMessage('reads', copy.id)
    for (const n of [a, b]) {
      await eventually(
        async () => expect((await read(n.api, 'reads')).map((m) => m.id)).not.toContain(nodeMsg.id),
        30_000,
      )
    }
    await new Promise((r) => setTimeout(r, 3_000))
    expect(sum('deletes_imported')).toBe(2)
    const relayMsgs = (await admin.read('reads')).messages

    // the other way: a node user deletes; the relay copy goes and nothing is imported back
    const own = await a.api.ok<Msg>('POST', '/api/channels/reads/messages', { content: 'alice, to go' })
    await eventually(async () =>
      expect((await admin.read('reads')).messages.length).toBe(relayMsgs.length + 1),
    )
    await a.api.ok('DELETE', `/api/channels/reads/messages/${own.id}`)
    await eventually(async () => expect((await admin.read('reads')).messages.length).toBe(relayMsgs.length))
    await new Promise((r) => setTimeout(r, 3_000))
    expect(sum('deletes_imported')).toBe(2)
  })

  it('an ack of a message the relay could not take waits, without holding the node up', async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    // sealed as hf1: it is larger than the relay's content limit, so it gets no relay copy
    const big = await b.api.ok<Msg>('POST', '/api/channels/reads/messages', { content: 'x'.repeat(30_000) })
    await eventually(async () => expect((await read(a.api, 'reads')).map((m) => m.id)).toContain(big.id))
    const before = (await admin.getAcks('reads')).find((x) => x.sender === 'alice')
    await a.api.ok('POST', '/api/channels/reads/ack', { last_read_id: big.id })
    // the ack waits for a relay copy through several polls; the node keeps answering meanwhile
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 2_000))
      expect(
        (await a.api.ok<Array<{ sender: string }>>('GET', '/api/channels/reads/acks')).length,
      ).toBeGreaterThan(0)
    }
    expect((await admin.getAcks('reads')).find((x) => x.sender === 'alice')).toEqual(before)
  })
})
