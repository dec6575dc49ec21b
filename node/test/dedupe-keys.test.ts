// The dedupe marks of applied envelopes: a team whose genesis says `format: 2` keys them by author
// time first (doneKey); a team created before holds `d/<id>` marks, and those must keep counting,
// or an old envelope arriving again by another path would be applied twice.
import { rm } from 'node:fs/promises'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isApplied, marksOf } from '../view/applied.js'
import { doneKey, legacyDoneKey, META } from '../view/keys.js'
import type { MetaRecord, ViewValue } from '../view/records.js'
import { tempDir } from './helpers.js'
import { soloNode } from './team-fixture.js'

describe('dedupe marks', () => {
  const time = 1_767_225_600_123
  const id = 'ab'.repeat(32)

  it('sorts the marks by time, so new envelopes land at the end of the range', () => {
    expect(doneKey(time, id)).toBe(`d/1767225600123/${id}`)
    expect(doneKey(5, id) < doneKey(time, id)).toBe(true)
  })

  describe('the rule over a view', () => {
    let dir: string
    let store: Corestore
    let bee: Hyperbee<ViewValue>
    beforeAll(async () => {
      dir = await tempDir()
      store = new Corestore(dir)
      bee = new Hyperbee<ViewValue>(store.get({ name: 'view' }), {
        keyEncoding: 'utf-8',
        valueEncoding: 'json',
      })
      await bee.ready()
    })
    afterAll(async () => {
      await bee.close()
      await store.close()
      await rm(dir, { recursive: true, force: true })
    })

    it('counts an old mark only in a team created before', async () => {
      const applied = () => isApplied(marksOf(bee), time, id)
      await bee.put(META, { genesis: true, epoch: 0 })
      expect(await applied()).toBe(false)
      await bee.put(legacyDoneKey(id), true)
      expect(await applied()).toBe(true)
      await bee.put(META, { genesis: true, epoch: 0, dedupe: 2 }) // its marks are never d/<id>
      expect(await applied()).toBe(false)
      await bee.put(doneKey(time, id), true)
      expect(await applied()).toBe(true)
    })
  })

  describe('a new team', () => {
    const solo = soloNode()

    it('says so in its genesis, and marks every applied envelope by time', async () => {
      const t = solo.node
      await t.api.ok('POST', '/api/channels/dedupe/messages', { content: 'one' })
      await t.api.ok('POST', '/api/channels/dedupe/messages', { content: 'two' })
      const meta = (await t.node.log.view.get(META))?.value as MetaRecord
      expect(meta.dedupe).toBe(2)
      const marks: string[] = []
      for await (const { key } of t.node.log.view.createReadStream({ gt: 'd/', lt: 'd0' })) marks.push(key)
      expect(marks.length).toBeGreaterThanOrEqual(3) // genesis, the channel, two messages
      for (const key of marks) expect(key).toMatch(/^d\/\d{13}\/[0-9a-f]{64}$/)
    })
  })
})
