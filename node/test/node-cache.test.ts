// The view batch's flush that puts the tree nodes it appended in the bee's node cache
// (node/view/node-cache.ts): every block a batch appends is cached, each cached entry is exactly
// what reading the block back from storage gives, the bee answers every read as a bee with an
// empty cache does, and after a truncation the replaced blocks are read, not the cached ones.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import type Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { describe, expect, it } from 'vitest'
import { flushCachingNodes } from '../view/node-cache.js'
import { tempCorestore } from './store-fixture.js'

type Entry = { key: Buffer; value: Buffer | null; index: Buffer | null }
const { Node } = createRequire(import.meta.url)('hyperbee/lib/messages.js') as {
  Node: { decode(block: Buffer): Entry }
}

/** What the test calls on the bee's core beyond the shared typings. */
interface RawCore {
  get(seq: number, opts: { valueEncoding: 'binary' }): Promise<Buffer | null>
  truncate(length: number): Promise<void>
}
const rawCore = (bee: Hyperbee<string>) => bee.core as unknown as RawCore

/** The bee's cached tree node at `seq` (private to hyperbee). */
const cachedAt = (bee: Hyperbee<string>, seq: number) =>
  (bee as unknown as { _nodeCache: { get(seq: number): Entry | null } })._nodeCache.get(seq)

const beeOn = (store: Corestore) =>
  new Hyperbee<string>(store.get({ name: 'view' }), { keyEncoding: 'utf-8', valueEncoding: 'utf-8' })

async function entries(bee: Hyperbee<string>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = []
  for await (const { key, value } of bee.createReadStream()) out.push([key as string, value])
  return out
}

/** A batch like an apply call's: positional keys at the right edge, random ids, a delete. */
async function applyLike(bee: Hyperbee<string>, round: number): Promise<void> {
  const batch = bee.batch({ update: false })
  for (let i = 0; i < 16; i++) {
    const seq = String(round * 16 + i).padStart(12, '0')
    await batch.put(`m/${seq}`, `message ${round}.${i}`)
    await batch.put(`i/${randomBytes(8).toString('hex')}`, seq)
    await batch.put(`e/${seq}`, `event ${round}.${i}`)
  }
  if (round > 0) await batch.del(`e/${String(round * 16 - 3).padStart(12, '0')}`)
  await batch.put('meta', `round ${round}`)
  await flushCachingNodes(batch)
}

describe('flushing a view batch caches the nodes it appended', () => {
  const temp = tempCorestore()

  it('caches every appended block as storage holds it, and reads agree with an uncached bee', async () => {
    const bee = beeOn(temp.store)
    await bee.ready()
    await bee.put('header', 'first') // a plain put: the header block and one node, not cached
    for (let round = 0; round < 30; round++) {
      const from = bee.core.length
      await applyLike(bee, round)
      expect(bee.core.length).toBeGreaterThan(from)
      for (let seq = from; seq < bee.core.length; seq++) {
        const cached = cachedAt(bee, seq)
        expect(cached, `block ${seq} cached`).not.toBeNull()
        const stored = Node.decode((await rawCore(bee).get(seq, { valueEncoding: 'binary' })) as Buffer)
        expect(cached?.key.equals(stored.key)).toBe(true)
        expect(cached?.value?.toString()).toBe(stored.value?.toString())
        expect(cached?.index?.equals(stored.index as Buffer)).toBe(true)
      }
    }
    const fresh = beeOn(temp.store)
    await fresh.ready()
    expect(await entries(bee)).toEqual(await entries(fresh))
    expect((await bee.get('meta'))?.value).toBe('round 29')
    await fresh.close()
    await bee.close()
  })

  it('after a truncation the blocks written in place of the cached ones are read', async () => {
    const bee = new Hyperbee<string>(temp.store.get({ name: 'truncated' }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    await bee.ready()
    const ends: number[] = []
    for (let round = 0; round < 5; round++) {
      await applyLike(bee, round)
      ends.push(bee.core.length)
    }
    // back to the end of an apply call, as autobase truncates a view it reorders
    const kept = ends[2] as number
    for (let seq = kept; seq < bee.core.length; seq++) expect(cachedAt(bee, seq)).not.toBeNull()
    await rawCore(bee).truncate(kept)
    // hyperbee drops the cached nodes past the cut (ours among them), so nothing stale is read
    for (let seq = kept; seq < (ends[4] as number); seq++) expect(cachedAt(bee, seq)).toBeNull()
    expect((await bee.get('meta'))?.value).toBe('round 2')
    await bee.put('plain', 'after the cut') // an append of hyperbee's own over the cut positions
    expect((await bee.get('plain'))?.value).toBe('after the cut')
    for (let round = 5; round < 8; round++) await applyLike(bee, round)
    const other = new Hyperbee<string>(temp.store.get({ name: 'truncated' }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'utf-8',
    })
    await other.ready()
    expect(await entries(bee)).toEqual(await entries(other))
    expect((await bee.get('meta'))?.value).toBe('round 7')
    expect((await bee.get('plain'))?.value).toBe('after the cut')
    await other.close()
    await bee.close()
  })
})
