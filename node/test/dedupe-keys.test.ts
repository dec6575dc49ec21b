// The dedupe marks of applied envelopes: new views key them by author time first (doneKey); a
// view from before (META without `dedupe: 2`) still holds `d/<id>` marks, and those must keep
// counting, or an old envelope arriving again by another path would be applied twice.
import { rm } from 'node:fs/promises'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alreadyApplied } from '../log/apply.js'
import { doneKey, legacyDoneKey, META } from '../view/keys.js'
import type { ViewValue } from '../view/records.js'
import { ViewTx } from '../view/tx.js'
import { tempDir } from './helpers.js'

describe('dedupe keys', () => {
  let dir: string
  let store: Corestore
  let bee: Hyperbee<ViewValue>
  const time = 1_767_225_600_123
  const id = 'ab'.repeat(32)

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

  const applied = () => alreadyApplied(new ViewTx(bee.batch({ update: false })), time, id)

  it('sorts the marks by time, so new envelopes land at the end of the range', () => {
    expect(doneKey(time, id)).toBe(`d/1767225600123/${id}`)
    expect(doneKey(5, id) < doneKey(time, id)).toBe(true)
  })

  it('counts a legacy mark in a view from before, and only there', async () => {
    await bee.put(META, { genesis: true, epoch: 0 })
    expect(await applied()).toBe(false)
    await bee.put(legacyDoneKey(id), true)
    expect(await applied()).toBe(true)
    await bee.put(META, { genesis: true, epoch: 0, dedupe: 2 }) // a new view never wrote legacy marks
    expect(await applied()).toBe(false)
    await bee.put(doneKey(time, id), true)
    expect(await applied()).toBe(true)
  })
})
