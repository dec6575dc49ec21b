// The arrival runs (node/arrival-runs.ts): names written a run per sync, read back by aseq from
// memory that follows each flushed sync (appends, drops) without reading the bee again, and the
// same answers from a fresh reader that loads what the bee holds.
import { rm } from 'node:fs/promises'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { feedKeys, MESSAGES } from '../arrival-feeds.js'
import { AlignedRuns } from '../arrival-runs.js'
import { tempDir } from './helpers.js'

describe('arrival runs', () => {
  let dir: string
  let store: Corestore
  let bee: Hyperbee<unknown>
  beforeAll(async () => {
    dir = await tempDir()
    store = new Corestore(dir)
    bee = new Hyperbee<unknown>(store.get({ name: 'runs' }), { keyEncoding: 'utf-8', valueEncoding: 'json' })
    await bee.ready()
  })
  afterAll(async () => {
    await bee.close()
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** One sync: its writes in a batch, flushed, then the memory told. */
  const sync = async (
    runs: AlignedRuns,
    keys: ReturnType<typeof feedKeys>,
    work: (b: ReturnType<Hyperbee<unknown>['batch']>) => Promise<void>,
  ) => {
    runs.begin(keys)
    const batch = bee.batch()
    await work(batch)
    await batch.flush()
    runs.flushed(keys)
  }
  /** Names of aseq 1..n as a reader sees them. */
  const namesOf = async (runs: AlignedRuns, keys: ReturnType<typeof feedKeys>, n: number) => {
    const out: Array<string | undefined> = []
    for (let aseq = 1; aseq <= n; aseq++) out.push(await runs.nameAt(keys, aseq))
    return out
  }

  it('answers by aseq across many runs, as a fresh reader of the bee does', async () => {
    const keys = feedKeys(MESSAGES, 'many', 1)
    const runs = new AlignedRuns(bee)
    expect(await runs.nameAt(keys, 1)).toBeUndefined() // loaded (empty) before any sync
    const expected: string[] = []
    // a long unsigned tail read after every post: a run per sync, kept in memory as it grows
    for (let i = 1; i <= 300; i++) {
      await sync(runs, keys, (b) => runs.append(b, keys, i, [`n${i}`]))
      expected.push(`n${i}`)
    }
    // and one sync of 2,500 (written as runs of 1,024 names)
    const big = Array.from({ length: 2500 }, (_, i) => `b${301 + i}`)
    await sync(runs, keys, (b) => runs.append(b, keys, 301, big))
    expected.push(...big)
    expect(await namesOf(runs, keys, 2801)).toEqual([...expected, undefined])
    const fresh = new AlignedRuns(bee)
    expect(await namesOf(fresh, keys, 2801)).toEqual([...expected, undefined])
    let entries = 0
    for await (const _ of bee.createReadStream(keys.runs)) entries++
    expect(entries).toBe(300 + 3)
  })

  it('drops the runs a fold passed, and forgets what a sync that never flushed wrote', async () => {
    const keys = feedKeys(MESSAGES, 'drops', 1)
    const runs = new AlignedRuns(bee)
    await sync(runs, keys, (b) => runs.append(b, keys, 1, ['a1', 'a2']))
    await sync(runs, keys, (b) => runs.append(b, keys, 3, ['a3', 'a4']))
    expect(await namesOf(runs, keys, 4)).toEqual(['a1', 'a2', 'a3', 'a4'])
    // base moved to 3: the first run is wholly below it, the second not
    await sync(runs, keys, (b) => runs.dropThrough(b, keys, 3))
    expect(await namesOf(runs, keys, 4)).toEqual([undefined, undefined, 'a3', 'a4'])
    expect(await namesOf(new AlignedRuns(bee), keys, 4)).toEqual([undefined, undefined, 'a3', 'a4'])
    // a sync that failed before its flush leaves nothing behind in memory
    runs.begin(keys)
    const failed = bee.batch()
    await runs.append(failed, keys, 5, ['lost'])
    await failed.close()
    await sync(runs, keys, (b) => runs.append(b, keys, 5, ['a5']))
    expect(await namesOf(runs, keys, 5)).toEqual([undefined, undefined, 'a3', 'a4', 'a5'])
    // a reorder drops them all
    await sync(runs, keys, (b) => runs.dropThrough(b, keys, Number.POSITIVE_INFINITY))
    expect(await namesOf(runs, keys, 5)).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect(await namesOf(new AlignedRuns(bee), keys, 5)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
  })
})
