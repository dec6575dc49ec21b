// The applied marks of envelopes: a team whose genesis says `format: 2` keys them by author time
// first (doneKey); a team created before keeps `d/<id>` marks, as its older nodes write them, so
// that every replica of a team builds the same view. Run through the node's own apply function
// over a real hyperbee, and through a running node.
import { rm } from 'node:fs/promises'
import type { AutobaseHost, AutobaseNode } from 'autobase'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { describe, expect, it } from 'vitest'
import { memberAddEnvelope } from '../identity.js'
import { createApply } from '../log/apply.js'
import { controlKeyOf, OpType, sealContent } from '../log/ops.js'
import { appliedIn } from '../view/applied.js'
import { doneKey, legacyDoneKey, META } from '../view/keys.js'
import type { ChannelRecord, MetaRecord, ViewValue } from '../view/records.js'
import { tempDir } from './helpers.js'
import { tempCorestore } from './store-fixture.js'
import { soloNode } from './team-fixture.js'

describe('applied marks', () => {
  const solo = soloNode()

  it('sorts the marks by time, so new envelopes land at the end of the range', () => {
    const id = 'ab'.repeat(32)
    expect(doneKey(1_767_225_600_123, id)).toBe(`d/1767225600123/${id}`)
    expect(doneKey(5, id) < doneKey(1_767_225_600_123, id)).toBe(true)
  })

  describe('follow the format the genesis states', () => {
    const temp = tempCorestore()

    // genesis, a message, then the same message again (another path): each in its own apply call
    const replay = async (name: string, format: { format?: 2 }) => {
      const keys = solo.node.node.store.keys
      const view = new Hyperbee<ViewValue>(temp.store.get({ name }), {
        keyEncoding: 'utf-8',
        valueEncoding: 'json',
      })
      await view.ready()
      const apply = createApply({ teamId: keys.teamId, controlKey: controlKeyOf(keys.teamKey) })
      const self = { publicKey: keys.device.publicKey, writer: Buffer.alloc(32, 7), role: 'admin' as const }
      const genesis = memberAddEnvelope(keys, { ...self, name: 'alice' }, format)
      const message = sealContent(keys, {
        type: OpType.Message,
        channel: 'marks',
        body: { content: 'once', sender: 'alice' },
      })
      const host = {} as AutobaseHost // genesis and messages call none of it
      for (const bytes of [genesis.bytes, message.bytes, message.bytes])
        await apply([{ value: bytes } as unknown as AutobaseNode], view, host)
      const meta = (await view.get(META))?.value as MetaRecord
      const channel = (await view.get('ch/marks'))?.value as ChannelRecord
      const id = message.id.toString('hex')
      const marks = { time: message.header.time, id }
      return { view, meta, channel, marks }
    }

    it('a team created before: d/<id> marks, and a second copy is still applied once', async () => {
      const { view, meta, channel, marks } = await replay('old-format', {})
      expect(meta.dedupe).toBeUndefined()
      expect(channel.count).toBe(1)
      expect((await view.get(legacyDoneKey(marks.id)))?.value).toBe(true)
      expect(await view.get(doneKey(marks.time, marks.id))).toBeNull()
      expect(await appliedIn(async (k) => (await view.get(k))?.value ?? null)(marks.time, marks.id)).toBe(
        true,
      )
      await view.close()
    })

    it('a team with format 2: d/<time>/<id> marks, and a second copy is still applied once', async () => {
      const { view, meta, channel, marks } = await replay('new-format', { format: 2 })
      expect(meta.dedupe).toBe(2)
      expect(channel.count).toBe(1)
      expect((await view.get(doneKey(marks.time, marks.id)))?.value).toBe(true)
      expect(await view.get(legacyDoneKey(marks.id))).toBeNull()
      expect(await appliedIn(async (k) => (await view.get(k))?.value ?? null)(marks.time, marks.id)).toBe(
        true,
      )
      await view.close()
    })
  })

  it('in calls of many envelopes, copies of applied ones are still found and applied once', async () => {
    // prefetch takes a new envelope's mark and message id as absent when they sort past the last
    // of their range (one read per range instead of a lookup each): copies must still be found
    const keys = solo.node.node.store.keys
    const dir = await tempDir()
    const store = new Corestore(dir)
    try {
      const view = new Hyperbee<ViewValue>(store.get({ name: 'bulk' }), {
        keyEncoding: 'utf-8',
        valueEncoding: 'json',
      })
      await view.ready()
      const apply = createApply({ teamId: keys.teamId, controlKey: controlKeyOf(keys.teamKey) })
      const self = { publicKey: keys.device.publicKey, writer: Buffer.alloc(32, 7), role: 'admin' as const }
      const post = (i: number) =>
        sealContent(keys, {
          type: OpType.Message,
          channel: 'bulk',
          body: { content: `${i}`, sender: 'alice' },
        })
      const genesis = memberAddEnvelope(keys, { ...self, name: 'alice' }, { format: 2 }) // sealed first: oldest
      const first = Array.from({ length: 10 }, (_, i) => post(i))
      const later = Array.from({ length: 5 }, (_, i) => post(10 + i))
      const call = (envelopes: Array<{ bytes: Buffer }>) =>
        apply(
          envelopes.map((e) => ({ value: e.bytes }) as unknown as AutobaseNode),
          view,
          {} as AutobaseHost,
        )
      await call([genesis, ...first])
      // new ones around older copies, the newest applied one among them (its keys are the last)
      await call([
        later[0],
        first[2],
        later[1],
        first[9],
        later[2],
        first[0],
        later[3],
        later[4],
      ] as typeof first)
      await call([...first, ...later].reverse()) // every one a copy, the newest first
      const channel = (await view.get('ch/bulk'))?.value as ChannelRecord
      expect(channel.count).toBe(15)
      let messages = 0
      for await (const _ of view.createReadStream({ gt: 'c/bulk/1/m/', lt: 'c/bulk/1/m0' })) messages++
      expect(messages).toBe(15)
      let dropped = 0
      for await (const _ of view.createReadStream({ gt: 'x/', lt: 'x0' })) dropped++
      expect(dropped).toBe(0) // a copy is skipped, not dropped as a reused message id
      await view.close()
    } finally {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a new node states format 2 in its genesis and marks every envelope by time', async () => {
    const t = solo.node
    await t.api.ok('POST', '/api/channels/dedupe/messages', { content: 'one' })
    await t.api.ok('POST', '/api/channels/dedupe/messages', { content: 'two' })
    const meta = (await t.node.log.view.get(META))?.value as MetaRecord
    expect(meta.dedupe).toBe(2)
    const marks: string[] = []
    for await (const { key } of t.node.log.view.createReadStream({ gt: 'd/', lt: 'd0' })) marks.push(key)
    expect(marks).toHaveLength(3) // genesis and two messages (a post creates its channel)
    for (const key of marks) expect(key).toMatch(/^d\/\d{13}\/[0-9a-f]{64}$/)
  })
})
