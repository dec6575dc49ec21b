// The applied marks of envelopes: a team whose genesis says `format: 2` keys them by author time
// first (doneKey); a team created before keeps `d/<id>` marks, as its older nodes write them, so
// that every replica of a team builds the same view. Run through the node's own apply function
// over a real hyperbee, and through a running node.
import { rm } from 'node:fs/promises'
import type { AutobaseHost, AutobaseNode } from 'autobase'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memberAddEnvelope } from '../identity.js'
import { createApply } from '../log/apply.js'
import { controlKeyOf, OpType, sealContent } from '../log/ops.js'
import { appliedIn } from '../view/applied.js'
import { doneKey, legacyDoneKey, META } from '../view/keys.js'
import type { ChannelRecord, MetaRecord, ViewValue } from '../view/records.js'
import { tempDir } from './helpers.js'
import { soloNode } from './team-fixture.js'

describe('applied marks', () => {
  const solo = soloNode()

  it('sorts the marks by time, so new envelopes land at the end of the range', () => {
    const id = 'ab'.repeat(32)
    expect(doneKey(1_767_225_600_123, id)).toBe(`d/1767225600123/${id}`)
    expect(doneKey(5, id) < doneKey(1_767_225_600_123, id)).toBe(true)
  })

  describe('follow the format the genesis states', () => {
    let dir: string
    let store: Corestore
    beforeAll(async () => {
      dir = await tempDir()
      store = new Corestore(dir)
    })
    afterAll(async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    })

    // genesis, a message, then the same message again (another path): each in its own apply call
    const replay = async (name: string, format: { format?: 2 }) => {
      const keys = solo.node.node.store.keys
      const view = new Hyperbee<ViewValue>(store.get({ name }), {
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
