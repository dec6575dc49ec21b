// The order in which this node first saw each message (and each event) of a channel: what
// `after_id` pages by and what SSE event ids count.
//
// The view (node/view) is a pure function of autobase's linearized log, and autobase may reorder
// the log's unsigned tail when a writer's operations arrive late (a partition heals): a message
// can then land BEFORE a position a client has already paged past, and paging by view position
// would skip it. Arrival positions (aseq) only ever append, so "everything after my cursor's
// aseq" is exactly what a client has not seen yet. They are node-local (other nodes saw messages
// in another order) and live in a hyperbee of their own that never replicates; message ids stay
// the envelope-derived ids shared by every node.
//
// Almost always arrival order IS view order (no reorder happened), so the index stores only the
// difference: up to `base` aseq = view position (those positions are signed, i.e. final); past
// it the items that arrived at the position of their aseq, up to `aligned`, are named by runs
// (node/arrival-runs.ts: one r/ entry per 1,024 names, written the way they arrived), and every
// later item has an explicit entry p/<aseq> -> {id, s: view position, 0 once gone} (a reorder
// writes the runs out as p/ entries first, then handles the tail as such); an item
// whose aseq is not the position it arrived at (or moved to) also q/<id> -> aseq (the others are
// found by name through their position). As positions become signed, entries whose aseq equals
// their position fold into `base` again, so a team that never reorders keeps no entries and a
// read is one view range.
import type Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import {
  chunked,
  type Feed,
  type FeedKeys,
  feedKeys,
  MESSAGES,
  stableCount,
  type View,
} from './arrival-feeds.js'
import { AlignedRuns, type RunValue } from './arrival-runs.js'
import { type ChannelSpace, channelKey, channelSpace, seqOf } from './view/keys.js'
import type { NotedNames } from './view/placements.js'
import { type ChannelRecord, decodeViewValue, type ViewValue } from './view/records.js'

/** Per feed and channel generation. */
export interface Mark {
  gen: number
  /** aseq == view position for positions 1..base (all signed, never reordered) */
  base: number
  /** highest aseq given */
  last: number
  /** aseqs (base, aligned] are at their position, named by runs (absent: = base) */
  aligned?: number
  /** view position up to which every item has an aseq, and the item's name there */
  seen: number
  tip: string | null
}
interface Entry {
  id: string
  /** the view position at the last sync */
  s: number
}

export interface WalkOptions {
  /** newest first, from `after` down */
  reverse?: boolean
  /** how many the caller expects to take (the first chunk of each range read) */
  want?: number
  feed?: Feed
  /** skip an item the view does not hold now instead of throwing StaleArrivals */
  skipMissing?: boolean
  /** a filtered read: the signed part through a view index of positions (r/, n/, s/ keys at a
   *  position, valued by it), since there aseq = position; the tail holds every item regardless */
  index?: (s: number) => string
}
type Value = Mark | Entry | number | RunValue

/** Where the runs of a mark end (marks written before runs have none). */
const alignedOf = (mark: Mark) => Math.max(mark.aligned ?? 0, mark.base)

interface SignedCore {
  signedLength: number
  fork: number
  length: number
}

/** A walk met an entry whose position moved after the sync: sync again and retry. */
export class StaleArrivals extends Error {}

/** Reads retried while the view is being reordered under them, before skipping what is missing. */
const STALE_TRIES = 4

/**
 * Run a one-shot arrival read, again shortly after each StaleArrivals (the view is being
 * reordered under it); the last try skips what the view does not hold instead of throwing.
 */
export async function retryStale<T>(read: (skipMissing: boolean, attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read(attempt >= STALE_TRIES, attempt)
    } catch (err) {
      if (!(err instanceof StaleArrivals) || attempt >= STALE_TRIES) throw err
      await new Promise((r) => setTimeout(r, 50 * attempt))
    }
  }
}

export class Arrivals {
  private readonly bee: Hyperbee<Value>
  private readonly runs: AlignedRuns
  private readonly marks = new Map<string, Mark>()
  /** the view's signed length and fork at each mark's last sync */
  private readonly synced = new Map<string, { signed: number; fork: number }>()
  private queue: Promise<unknown> = Promise.resolve()
  /** first chunks of signed-part reads at the view core, length and fork `chunksAt` (signedChunk):
   *  another core (autobase reopened or fast-forwarded the view) starts afresh too */
  private readonly chunks = new Map<string, Array<{ key: string; value: ViewValue }>>()
  private chunksAt: { core: SignedCore | null; length: number; fork: number } = {
    core: null,
    length: -1,
    fork: -1,
  }

  constructor(
    store: Corestore,
    teamId: string,
    private readonly view: () => View,
    /** what apply noted it placed (node/view/placements.ts): a tail named without reading it */
    private readonly notedNames: NotedNames | null = null,
  ) {
    this.bee = new Hyperbee<Value>(store.get({ name: `handoff-arrivals-${teamId}` }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'json',
    })
    this.runs = new AlignedRuns(this.bee as Hyperbee<unknown>)
  }

  ready(): Promise<void> {
    return this.bee.ready()
  }

  close(): Promise<void> {
    return this.bee.close()
  }

  /** Give every item the view holds an aseq (serialized: one sync at a time). */
  async sync(name: string, current?: ChannelRecord, feed: Feed = MESSAGES): Promise<Mark | null> {
    const fresh = await this.unchanged(name, current, feed)
    if (fresh) return fresh
    const run = this.queue.then(() => this.syncNow(name, feed))
    this.queue = run.catch(() => {})
    return run
  }

  /**
   * The common read: nothing changed since the last sync (same signed length and fork, same
   * count and, while part of the view is unsigned, the same item at the last position), answered
   * from the live view outside the queue (it writes nothing). With the caller's channel record
   * and a fully signed view that costs no read at all.
   */
  private async unchanged(name: string, current: ChannelRecord | undefined, feed: Feed) {
    const live = this.view()
    const core = live.core as unknown as SignedCore
    const rec = current ?? ((await live.get(channelKey(name)))?.value as ChannelRecord | undefined)
    if (!rec || rec.deleted) return null
    const key = feedKeys(feed, name, rec.gen).mark
    const mark = this.marks.get(key)
    const before = this.synced.get(key)
    if (!mark || !before || before.signed !== core.signedLength || before.fork !== core.fork) return null
    if (feed.count(rec) !== mark.seen) return null
    if (mark.seen === 0) return mark.tip === null ? mark : null
    // nothing unsigned: nothing can have been reordered since the sync at this signed length
    if (core.length === core.signedLength) return mark
    const at = (await live.get(feed.at(channelSpace(name, rec.gen), mark.seen)))?.value
    return at !== undefined && feed.idOf(at) === mark.tip ? mark : null
  }

  private async syncNow(name: string, feed: Feed): Promise<Mark | null> {
    const live = this.view()
    const core = live.core as unknown as SignedCore
    const signedLength = core.signedLength
    const fork = core.fork
    const snap = live.snapshot()
    try {
      await snap.ready()
      const rec = (await snap.get(channelKey(name)))?.value as ChannelRecord | undefined
      if (!rec || rec.deleted) return null
      const keys = feedKeys(feed, name, rec.gen)
      const space = channelSpace(name, rec.gen)
      const count = feed.count(rec)
      const idAt = async (s: number) => {
        const v = s === 0 ? undefined : (await snap.get(feed.at(space, s)))?.value
        return v === undefined ? null : feed.idOf(v)
      }
      const old = this.marks.get(keys.mark) ?? ((await this.bee.get(keys.mark))?.value as Mark | undefined)
      const mark: Mark = old ? { ...old } : { gen: rec.gen, base: 0, last: 0, seen: 0, tip: null }
      const before = this.synced.get(keys.mark)
      // a truncated view (fork), fewer items, or another item at our last position: the unsigned
      // tail was rebuilt in another order and is scanned again from `base`
      const reordered =
        (before !== undefined && before.fork !== fork) ||
        count < mark.seen ||
        (await idAt(mark.seen)) !== mark.tip
      if (!reordered && count === mark.seen && before?.signed === signedLength) {
        this.marks.set(keys.mark, mark)
        return mark
      }
      const batch = this.bee.batch()
      this.runs.begin(keys)
      // a snapshot inside the signed length is final as a whole: no checkout (a cold bee) needed
      const stable =
        signedLength >= snap.version
          ? count
          : Math.min(await stableCount(snap, signedLength, feed, name, rec.gen), count)
      if (!reordered && mark.base === mark.last && mark.seen === mark.last && stable > mark.seen) {
        // nothing explicit outstanding: signed positions need no entries at all
        mark.base = mark.last = mark.seen = mark.aligned = stable
      }
      const from = reordered ? mark.base : mark.seen
      // after a reorder: the aseq of every item given one past base, by name
      let given: Map<string, number> | null = null
      if (reordered) {
        given = new Map()
        for await (const [id, aseq] of this.tail(keys, mark)) given.set(id, aseq)
        // the runs become p/ entries (at the positions they were in), then are handled as such
        for (let aseq = mark.base + 1; aseq <= alignedOf(mark); aseq++) {
          const id = await this.runs.nameAt(keys, aseq)
          if (id !== undefined) await batch.put(keys.at(aseq), { id, s: aseq })
        }
        await this.runs.dropThrough(batch, keys, Number.POSITIVE_INFINITY)
        mark.aligned = mark.base
      }
      // names of items arriving in place, from aseq runStart on: written as runs
      const run: string[] = []
      const runStart = mark.last + 1
      const tip = await idAt(count)
      const placed = new Set<string>() // the names the scan below met (only needed after a reorder)
      for await (const [s, id] of this.itemsPast(
        snap,
        feed,
        name,
        rec.gen,
        from,
        count,
        tip,
        idAt,
        reordered,
      )) {
        const known = given?.get(id)
        if (given) placed.add(id)
        if (known !== undefined) {
          // seen before, moved by the reorder: keep its aseq, refresh the position
          await batch.put(keys.at(known), { id, s })
          if (known !== s) await batch.put(keys.id(id), known) // aseqOf no longer finds it at `known`
          continue
        }
        mark.last++
        // at the position of its aseq, with only runs before it: named by a run (nearly always)
        if (mark.last === s && alignedOf(mark) === mark.last - 1) {
          run.push(id)
          mark.aligned = mark.last
          continue
        }
        await batch.put(keys.at(mark.last), { id, s })
        // past explicit entries (a reorder's), an item that arrives at the position of its aseq
        // still needs no q/ entry: aseqOf finds it through its p/ entry
        if (mark.last !== s) await batch.put(keys.id(id), mark.last)
      }
      // a reordered tail item the new order no longer holds keeps its aseq by name (q/): aseqOf
      // cannot find it through a position
      if (given) for (const [id, aseq] of given) if (!placed.has(id)) await batch.put(keys.id(id), aseq)
      await this.runs.append(batch, keys, runStart, run)
      mark.seen = count
      mark.tip = tip
      const runName = async (aseq: number) =>
        aseq >= runStart && aseq < runStart + run.length ? run[aseq - runStart] : this.runs.nameAt(keys, aseq)
      await fold(batch, keys, mark, stable, idAt, runName)
      if (mark.base > (old?.base ?? 0)) await this.runs.dropThrough(batch, keys, mark.base)
      await batch.put(keys.mark, mark)
      await batch.flush()
      this.runs.flushed(keys)
      this.marks.set(keys.mark, mark)
      this.synced.set(keys.mark, { signed: signedLength, fork })
      return mark
    } finally {
      await snap.close()
    }
  }

  /**
   * [position, name] of the items past `from` up to `count` in the snapshot. Appended items are
   * named by what apply noted when it noted every one over the view autobase still applies to,
   * and the first and last names are the snapshot's; otherwise (a reorder, a view this process
   * did not build) they are read from the snapshot. Notes that run ahead of the snapshot (a
   * reorder after it that kept both ends) name the newer order: the next sync sees the fork move
   * and rescans, so nothing is lost.
   */
  private async *itemsPast(
    snap: View,
    feed: Feed,
    name: string,
    gen: number,
    from: number,
    count: number,
    tip: string | null,
    idAt: (s: number) => Promise<string | null>,
    reordered: boolean,
  ): AsyncIterable<[number, string]> {
    const noted = reordered ? null : (this.notedNames?.(feed.tag, name, gen, from, count) ?? null)
    if (noted && noted[noted.length - 1] === tip && noted[0] === (await idAt(from + 1))) {
      for (let i = 0; i < noted.length; i++) yield [from + 1 + i, noted[i] as string]
      return
    }
    const space = channelSpace(name, gen)
    for await (const { key, value } of snap.createReadStream({
      gt: feed.at(space, from),
      lt: feed.range(space).lt,
    }))
      yield [seqOf(key), feed.idOf(value)]
  }

  /**
   * The newer of a caller's mark and this feed's latest sync. Marks only grow within a
   * generation, and what an older one knew is in the newer one (items it had past its `base`
   * may be folded into the newer `base`: they are at aseq = position). Items a later sync named
   * by runs are only found through its mark.
   */
  private newest(keys: FeedKeys, given: Mark): Mark {
    const latest = this.marks.get(keys.mark)
    return latest && latest.gen === given.gen && latest.last >= given.last && latest.base >= given.base
      ? latest
      : given
  }

  /** [name, aseq] of the items past `base` (runs, then p/ entries, as last written). */
  private async *tail(keys: FeedKeys, mark: Mark): AsyncIterable<[string, number]> {
    for (let aseq = mark.base + 1; aseq <= alignedOf(mark); aseq++) {
      const id = await this.runs.nameAt(keys, aseq)
      if (id !== undefined) yield [id, aseq]
    }
    // from base: a reorder since this mark may have written its runs out as p/ entries
    for await (const { key, value } of this.bee.createReadStream(keys.after(mark.base)))
      yield [(value as Entry).id, seqOf(key)]
  }

  /** The entry of an aseq past `base`: a run's name at its position (runs cover aseqs up to
   *  `aligned`), or its p/ entry. */
  private async entryAt(keys: FeedKeys, aligned: number, aseq: number): Promise<Entry | undefined> {
    if (aseq <= aligned) {
      const id = await this.runs.nameAt(keys, aseq)
      if (id !== undefined) return { id, s: aseq }
    }
    return (await this.bee.get(keys.at(aseq)))?.value as Entry | undefined
  }

  /** The aseq of an item name, or null when this node never saw it in this generation. */
  async aseqOf(name: string, given: Mark, space: ChannelSpace, id: string, feed: Feed = MESSAGES) {
    const keys = feedKeys(feed, name, given.gen)
    const mark = this.newest(keys, given)
    const known = (await this.bee.get(keys.id(id)))?.value as number | undefined
    if (known !== undefined) return known
    const s = await feed.find(this.view(), space, id)
    // not in the view: another server's id (a reorder that dropped an item wrote its q/ entry)
    if (typeof s !== 'number') return null
    if (s <= mark.base) return s
    // an item whose aseq was its position when it arrived has no q/ entry: its run or p/ entry
    // names it
    const e = await this.entryAt(keys, alignedOf(mark), s)
    if (e?.id === id) return s
    // gone although `mark` had it: a later sync folded it into base, at aseq = position
    if (!e && s <= mark.last) return s
    if (!e) return null // past everything this node gave an aseq
    // the view moved it since the last sync (a reorder not synced yet): only the tail can tell
    for await (const [name, aseq] of this.tail(keys, mark)) if (name === id) return aseq
    return null
  }

  /** The name at an aseq (for cursors this node never saw: a search by id order). */
  async idAt(name: string, given: Mark, space: ChannelSpace, aseq: number, feed: Feed = MESSAGES) {
    const mark = this.newest(feedKeys(feed, name, given.gen), given)
    if (aseq <= mark.base) {
      const v = (await this.view().get(feed.at(space, aseq)))?.value
      return v === undefined ? null : feed.idOf(v)
    }
    const e = await this.entryAt(feedKeys(feed, name, mark.gen), alignedOf(mark), aseq)
    if (e || aseq > mark.last) return e?.id ?? null
    // gone although `mark` had it: a later sync folded it into base, at aseq = position
    const v = (await this.view().get(feed.at(space, aseq)))?.value
    return v === undefined ? null : feed.idOf(v)
  }

  /**
   * Items after aseq `after` in arrival order (or before it, newest first, when reverse), with
   * their aseq. An item past `base` that the view does not hold where the last sync saw it (nor
   * by name) throws StaleArrivals: the view is being reordered, or a reorder dropped the item;
   * the caller syncs and retries, and after a few tries walks with skipMissing.
   */
  async *walk<T extends ViewValue>(
    name: string,
    given: Mark,
    space: ChannelSpace,
    after: number,
    options: WalkOptions = {},
  ): AsyncIterable<{ aseq: number; record: T }> {
    const { reverse = false, want = 64, feed = MESSAGES, skipMissing = false, index } = options
    const view = this.view()
    const keys = feedKeys(feed, name, given.gen)
    const mark = this.newest(keys, given)
    const bee = this.bee
    // one generator, no nested ones: each level of async generators cost every item a promise
    // and an iterator result or two per level, on every read
    for (const part of reverse ? TAIL_FIRST : SIGNED_FIRST) {
      if (part === 'tail') {
        if ((reverse && after <= mark.base) || mark.last === mark.base) continue
        // the runs' aseqs (base, aligned] come before the p/ entries': first going forward
        const aligned = alignedOf(mark)
        if (!reverse)
          for (let aseq = Math.max(after, mark.base) + 1; aseq <= aligned; aseq++) {
            const record = await this.runItem(view, keys, space, feed, aseq, skipMissing)
            if (record !== null) yield { aseq, record: record as T }
          }
        if (reverse && after <= aligned) {
          for (let aseq = Math.min(after, aligned); aseq > mark.base; aseq--) {
            const record = await this.runItem(view, keys, space, feed, aseq, skipMissing)
            if (record !== null) yield { aseq, record: record as T }
          }
          continue
        }
        const range = reverse
          ? { gt: keys.at(aligned), lte: keys.at(after) }
          : keys.after(Math.max(after, aligned))
        // The entries past `aligned` are contiguous, and a fold deletes them from the bottom: a
        // gap means a sync folded them into base while this walk ran (its mark is older). Those
        // items are signed now, at aseq = position, and are read from the view there.
        let next = reverse ? Math.min(after, mark.last) : Math.max(after, aligned) + 1
        const step = reverse ? -1 : 1
        const before = (upto: number) => (reverse ? next > upto : next < upto)
        // (a nested generator only on a gap: one per item would cost every read, see above)
        const folded = async function* (upto: number) {
          for (; before(upto); next += step) {
            const record = await rawGet(view, feed.at(space, next))
            if (record !== undefined) yield { aseq: next, record: record as T }
          }
        }
        for await (const { key, value } of chunked(bee, range, reverse, want)) {
          const aseq = seqOf(key)
          if (before(aseq)) yield* folded(aseq)
          const record = await itemOf(view, space, feed, value as Entry, skipMissing)
          if (record) yield { aseq, record: record as T }
          next = aseq + step
        }
        const end = reverse ? aligned : mark.last + 1
        if (before(end)) yield* folded(end)
        if (reverse)
          for (let aseq = aligned; aseq > mark.base; aseq--) {
            const record = await this.runItem(view, keys, space, feed, aseq, skipMissing)
            if (record !== null) yield { aseq, record: record as T }
          }
        continue
      }
      const top = reverse ? Math.min(after, mark.base) : mark.base
      if (reverse ? top === 0 : after >= top) continue
      const at = index ?? ((s: number) => feed.at(space, s))
      const range = { gt: at(reverse ? 0 : after), lte: at(top) }
      const limit = Math.max(1, want)
      const first = await this.signedChunk(view, range, reverse, limit)
      let more:
        | Iterable<{ key: string; value: ViewValue }>
        | AsyncIterable<{ key: string; value: ViewValue }> = NONE
      const last = first[first.length - 1]?.key
      if (last !== undefined && first.length === limit) {
        const rest = reverse ? { gt: range.gt, lt: last } : { gt: last, lte: range.lte }
        more = decoded(chunked(view, rest, reverse, Math.min(limit * 4, 1024), true))
      }
      for (const chunk of [first, more])
        for await (const { key, value } of chunk) {
          if (!index) yield { aseq: seqOf(key), record: value as T }
          else {
            const record = await rawGet(view, feed.at(space, value as number))
            if (record !== undefined) yield { aseq: value as number, record: record as T }
          }
        }
    }
  }

  /** The item at an aseq the runs cover: by its run's name, else by the p/ entry a reorder wrote
   *  for it since, else (a fold since) the view's item at that position. */
  private async runItem(
    view: View,
    keys: FeedKeys,
    space: ChannelSpace,
    feed: Feed,
    aseq: number,
    skipMissing: boolean,
  ): Promise<ViewValue | null> {
    const e = await this.entryAt(keys, aseq, aseq)
    if (e) return itemOf(view, space, feed, e, skipMissing)
    return (await rawGet(view, feed.at(space, aseq))) ?? null
  }

  /**
   * The first chunk of a range of the view's signed part, values decoded (decodeViewValue),
   * remembered until the view changes (another length or fork): a client polling the newest
   * page of an idle channel re-read the same 51 entries through hyperbee's b-tree every time (a
   * snapshot session, a range iterator, a stream and a block wrapper per entry: ~300 KB a read).
   * The records are ciphertext as stored; the caller still decrypts each body on every read.
   */
  private async signedChunk(
    view: View,
    range: { gt: string; lte: string },
    reverse: boolean,
    limit: number,
  ): Promise<Array<{ key: string; value: ViewValue }>> {
    const core = view.core as unknown as SignedCore
    const { length, fork } = core
    const at = this.chunksAt
    if (at.core !== core || at.length !== length || at.fork !== fork) {
      this.chunks.clear()
      this.chunksAt = { core, length, fork }
    }
    const id = `${reverse ? '<' : '>'}${limit} ${range.gt} ${range.lte}`
    const known = this.chunks.get(id)
    if (known) return known
    const first: Array<{ key: string; value: ViewValue }> = []
    for await (const { key, value } of view.createReadStream({ ...range, reverse, limit }, RAW))
      first.push({ key, value: decodeViewValue(value as unknown as Buffer) })
    // kept only when the view did not move while it was read
    if (core.length === length && core.fork === fork && this.chunks.size < MAX_CHUNKS)
      this.chunks.set(id, first)
    return first
  }
}

/** The item behind an entry: at its position, else found by name. */
async function itemOf(
  view: View,
  space: ChannelSpace,
  feed: Feed,
  e: Entry,
  skipMissing: boolean,
): Promise<ViewValue | null> {
  const at = await rawGet(view, feed.at(space, e.s))
  if (at !== undefined && feed.idOf(at) === e.id) return at
  const s = await feed.find(view, space, e.id)
  const found = typeof s === 'number' ? await rawGet(view, feed.at(space, s)) : undefined
  if (found !== undefined && feed.idOf(found) === e.id) return found
  if (skipMissing) return null
  throw new StaleArrivals(`${e.id} is not where the last sync saw it`)
}

const RAW = { valueEncoding: 'binary' } as const
const TAIL_FIRST = ['tail', 'signed'] as const
const SIGNED_FIRST = ['signed', 'tail'] as const
const NONE: Array<{ key: string; value: ViewValue }> = []

async function* decoded(entries: AsyncIterable<{ key: string; value: ViewValue }>) {
  for await (const { key, value } of entries)
    yield { key, value: decodeViewValue(value as unknown as Buffer) }
}
/** distinct signed-part reads remembered per view length (channels x page sizes x cursors) */
const MAX_CHUNKS = 64

/** A view value by key, decoded once per block (decodeViewValue). */
async function rawGet(view: View, key: string): Promise<ViewValue | undefined> {
  const bytes = (await view.get(key, RAW))?.value as unknown as Buffer | undefined
  return bytes === undefined ? undefined : decodeViewValue(bytes)
}

/** Entries whose aseq is their (now signed) position fold into `base`: first the runs' names,
 *  then p/ entries. */
async function fold(
  batch: ReturnType<Hyperbee<Value>['batch']>,
  keys: FeedKeys,
  mark: Mark,
  stable: number,
  idAt: (s: number) => Promise<string | null>,
  runName: (aseq: number) => Promise<string | undefined>,
): Promise<void> {
  while (mark.base < stable && mark.base < mark.last) {
    const next = mark.base + 1
    if (next <= alignedOf(mark)) {
      const id = await runName(next)
      if (id === undefined || (await idAt(next)) !== id) break
      mark.base = next
      continue
    }
    const e = (await batch.get(keys.at(next)))?.value as Entry | undefined
    if (!e || e.s !== next || (await idAt(next)) !== e.id) break
    await batch.del(keys.at(next))
    await batch.del(keys.id(e.id))
    mark.base = next
  }
  mark.aligned = alignedOf(mark)
}
