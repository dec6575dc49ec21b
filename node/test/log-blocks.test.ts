// Several envelopes per writer-core block (node/log/blocks.ts): how a batch is packed and read
// back, that a malformed batch is refused, and that the bridge's outbox pushes whole blocks
// within the relay's push limit, every envelope once and in order.
import c from 'compact-encoding'
import { describe, expect, it } from 'vitest'
import { SYNC_MAX_PUSH } from '../../sdk/api/sync.js'
import { decodeEnvelope, envelopeIdHex } from '../../sdk/protocol/index.js'
import { Outbox } from '../bridge/outbox.js'
import { envelopesOf, MAX_BLOCK_BYTES, MAX_BLOCK_ENVELOPES, packBlocks } from '../log/blocks.js'
import { OpType, sealContent } from '../log/ops.js'
import { soloNode } from './team-fixture.js'

/** Stand-ins shaped like envelopes (first byte: protocol version 1), `size` bytes each. */
const fakes = (n: number, size = 500) =>
  Array.from({ length: n }, (_, i) => {
    const b = Buffer.alloc(size, i % 251)
    b[0] = 1
    return b
  })

describe('packing envelopes into blocks', () => {
  it('leaves a lone envelope as its own block', () => {
    const [one] = fakes(1) as [Buffer]
    expect(packBlocks([one])).toEqual([one])
    expect(envelopesOf(one)).toEqual([one])
  })

  it('packs a batch into blocks of at most MAX_BLOCK_ENVELOPES, in order', () => {
    const envelopes = fakes(2 * MAX_BLOCK_ENVELOPES + 3)
    const blocks = packBlocks(envelopes)
    expect(blocks.map((b) => envelopesOf(b).length)).toEqual([MAX_BLOCK_ENVELOPES, MAX_BLOCK_ENVELOPES, 3])
    expect(blocks.flatMap(envelopesOf)).toEqual(envelopes)
  })

  it('keeps a block within MAX_BLOCK_BYTES, and a large envelope alone', () => {
    const third = Math.floor(MAX_BLOCK_BYTES / 3) + 1
    const envelopes = [...fakes(3, third), ...fakes(1, MAX_BLOCK_BYTES + 10), ...fakes(2)]
    const blocks = packBlocks(envelopes)
    expect(blocks.map((b) => envelopesOf(b).length)).toEqual([2, 1, 1, 2])
    expect(blocks[2]).toBe(envelopes[3]) // a block of one is the envelope itself
    expect(blocks.flatMap(envelopesOf)).toEqual(envelopes)
    // exactly MAX_BLOCK_BYTES fits in one block; one byte more does not
    const half = MAX_BLOCK_BYTES / 2
    expect(packBlocks(fakes(2, half))).toHaveLength(1)
    expect(packBlocks([...fakes(1, half), ...fakes(1, half + 1)])).toHaveLength(2)
  })

  it('refuses to pack what is no envelope', () => {
    expect(() => packBlocks([...fakes(1), Buffer.alloc(0)])).toThrow(/not an envelope/)
    expect(() => packBlocks([...fakes(1), Buffer.from([0, 1, 2])])).toThrow(/not an envelope/)
  })

  /** A batch block as a writer could forge it: the tag, a count, then length-prefixed entries. */
  const forge = (count: number, entries: Buffer[]) => {
    const state = c.state()
    c.uint.preencode(state, 0)
    c.uint.preencode(state, count)
    for (const e of entries) c.buffer.preencode(state, e)
    state.buffer = Buffer.alloc(state.end)
    c.uint.encode(state, 0)
    c.uint.encode(state, count)
    for (const e of entries) c.buffer.encode(state, e)
    return state.buffer
  }

  it('refuses a malformed batch block', () => {
    const [a, b] = fakes(2) as [Buffer, Buffer]
    const batch = forge(2, [a, b])
    expect(envelopesOf(batch)).toEqual([a, b])
    expect(() => envelopesOf(batch.subarray(0, batch.length - 7))).toThrow()
    expect(() => envelopesOf(Buffer.concat([batch, Buffer.from([1])]))).toThrow(/trailing/)
    expect(() => envelopesOf(forge(1, [a]))).toThrow(/holds 1 envelopes/)
    expect(() => envelopesOf(forge(3, [a, b, batch]))).toThrow(/another batch/)
    expect(() => envelopesOf(forge(2, [Buffer.alloc(0), a]))).toThrow(/empty block/)
    // the count is checked before anything is read or allocated for it
    const many = fakes(MAX_BLOCK_ENVELOPES + 1, 3)
    expect(() => envelopesOf(forge(many.length, many))).toThrow(/holds 65 envelopes/)
    expect(() => envelopesOf(forge(1_000_000, [a]))).toThrow(/holds 1000000 envelopes/)
  })
})

describe('the outbox over batch blocks', () => {
  const solo = soloNode()

  it('pushes whole blocks, never more than SYNC_MAX_PUSH at once, each envelope once, none it is told the relay holds', async () => {
    const t = solo.node
    const keys = t.node.store.keys
    await t.api.ok('POST', '/api/channels', { name: 'burst' })
    const envelopes = Array.from({ length: 2 * MAX_BLOCK_ENVELOPES + 5 }, (_, i) =>
      sealContent(keys, {
        type: OpType.Message,
        channel: 'burst',
        body: { content: `m${i}`, sender: 'alice' },
      }),
    )
    const before = t.node.log.base.local.length
    await t.node.log.append(envelopes.map((e) => e.bytes))
    expect(t.node.log.base.local.length - before).toBe(3) // 64 + 64 + 5 envelopes

    const outbox = new Outbox(t.node.corestore)
    const writer = t.node.log.writerKey.toString('hex')
    /** Every push from the start until nothing is left, as the bridge's push loop runs them. */
    const drain = async (skip: (id: string) => boolean) => {
      let pushed: Record<string, number> = {}
      const sent: string[] = []
      for (let round = 0; round < 20; round++) {
        const batch = await outbox.next([writer], pushed, SYNC_MAX_PUSH, skip)
        expect(batch.items.length).toBeLessThanOrEqual(SYNC_MAX_PUSH)
        sent.push(...batch.items.map((i) => i.id))
        pushed = batch.next
        if (batch.remaining === 0) break
      }
      return { sent, pushed }
    }
    try {
      const burst = envelopes.map((e) => envelopeIdHex(decodeEnvelope(e.bytes)))
      const all = await drain(() => false)
      expect(all.sent.slice(-burst.length)).toEqual(burst)
      expect(new Set(all.sent).size).toBe(all.sent.length)
      expect(all.pushed[writer]).toBe(t.node.log.base.local.length)
      // what the relay is known to hold (pulled from it) is left out; the cursor still passes it
      const held = new Set(burst.filter((_, i) => i % 3 === 0 || i < MAX_BLOCK_ENVELOPES))
      const rest = await drain((id) => held.has(id))
      expect(rest.sent.slice(-(burst.length - held.size))).toEqual(burst.filter((id) => !held.has(id)))
      expect(rest.sent.some((id) => held.has(id))).toBe(false)
      expect(rest.pushed[writer]).toBe(t.node.log.base.local.length)
    } finally {
      await outbox.close()
    }
    const contents: string[] = []
    let after = '&after_id=0'
    for (let page = 0; page < 5 && contents.length < envelopes.length; page++) {
      const { messages } = await t.api.ok('GET', `/api/channels/burst/messages?limit=100${after}`)
      contents.push(...messages.map((m: { content: string }) => m.content))
      after = `&after_id=${messages[messages.length - 1].id}`
    }
    expect(contents).toEqual(envelopes.map((_, i) => `m${i}`))
  })
})
