// The names of the arrival entries whose aseq is their view position (node/arrivals.ts), kept as
// runs: r/<first aseq> -> { ids } with up to RUN_IDS names each, instead of a p/ entry per item.
// Almost every item of an unsigned tail arrives where its aseq says, and a p/ entry each was
// ~0.3-0.5 s of puts per 10,000 (docs/benchmarks.md); a run is one put per sync (a node whose
// every post is read at once writes one per post, as it wrote a p/ entry). The mark says
// which aseqs the runs cover: (base, aligned]. Runs may start below base (a fold only deletes a
// run once base passed its last aseq); names below base are never asked for. A run is written
// once and deleted whole, never changed.
import type Hyperbee from 'hyperbee'
import type { FeedKeys } from './arrival-feeds.js'
import { seqOf } from './view/keys.js'

/** Names per run entry: bounds one value's size (~40 KB) and what a run's rewrite costs. */
const RUN_IDS = 1024
/** Feeds whose runs are kept in memory at once. */
const MAX_LOADED = 256

export interface RunValue {
  ids: string[]
}

type Batch = ReturnType<Hyperbee<unknown>['batch']>

/** The runs of one feed of one channel generation, in memory, by first aseq (ascending). */
type Loaded = Array<{ start: number; ids: string[] }>

/** What a sync's batch does to the runs, applied to the memory once the batch is flushed. */
interface Pending {
  appended: Loaded
  /** runs wholly at or below this aseq go (-1: none; Infinity: all) */
  droppedThrough: number
}

export class AlignedRuns {
  /** per feed and generation (FeedKeys.mark), as flushed to the bee */
  private readonly loaded = new Map<string, Loaded>()
  private readonly pending = new Map<string, Pending>()
  /** bumped at each flush: a load that a flush overtook is not kept */
  private version = 0

  constructor(private readonly bee: Hyperbee<unknown>) {}

  /** The name at `aseq` as the runs hold it, or undefined (not covered, or gone since). */
  async nameAt(keys: FeedKeys, aseq: number): Promise<string | undefined> {
    const runs = this.loaded.get(keys.mark) ?? (await this.load(keys))
    // the last run starting at or before aseq (a sync that adds items adds a run: there can be
    // one per message where every post is read at once)
    let lo = 0
    let hi = runs.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((runs[mid] as Loaded[number]).start <= aseq) lo = mid
      else hi = mid - 1
    }
    const run = runs[lo]
    return run && run.start <= aseq ? run.ids[aseq - run.start] : undefined
  }

  /** A sync of this feed starts: nothing of an earlier, failed one is pending. */
  begin(keys: FeedKeys): void {
    this.pending.set(keys.mark, { appended: [], droppedThrough: -1 })
  }

  /** Write the names of aseq start .. start+ids.length-1 (past every run's). */
  async append(batch: Batch, keys: FeedKeys, start: number, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += RUN_IDS) {
      const run = { start: start + i, ids: ids.slice(i, i + RUN_IDS) }
      await batch.put(keys.run(run.start), { ids: run.ids } satisfies RunValue)
      this.pendingOf(keys).appended.push(run)
    }
  }

  /** Delete the flushed runs wholly at or below `base` (all of them when base is Infinity). */
  async dropThrough(batch: Batch, keys: FeedKeys, base: number): Promise<void> {
    for await (const { key, value } of this.bee.createReadStream(keys.runs)) {
      if (seqOf(key) + (value as RunValue).ids.length - 1 > base) break
      await batch.del(key)
    }
    const pending = this.pendingOf(keys)
    pending.droppedThrough = Math.max(pending.droppedThrough, base)
  }

  /** The sync's batch was flushed: the runs in memory follow it. */
  flushed(keys: FeedKeys): void {
    this.version++
    const pending = this.pending.get(keys.mark)
    this.pending.delete(keys.mark)
    const runs = this.loaded.get(keys.mark)
    if (!runs || !pending) return
    const through = pending.droppedThrough
    let keep = 0
    while (
      keep < runs.length &&
      (runs[keep] as Loaded[number]).start + (runs[keep] as Loaded[number]).ids.length - 1 <= through
    )
      keep++
    runs.splice(0, keep)
    runs.push(...pending.appended)
  }

  private pendingOf(keys: FeedKeys): Pending {
    let pending = this.pending.get(keys.mark)
    if (!pending) {
      pending = { appended: [], droppedThrough: -1 }
      this.pending.set(keys.mark, pending)
    }
    return pending
  }

  private async load(keys: FeedKeys): Promise<Loaded> {
    const version = this.version
    const runs: Loaded = []
    for await (const { key, value } of this.bee.createReadStream(keys.runs))
      runs.push({ start: seqOf(key), ids: (value as RunValue).ids })
    // one entry per feed and generation read lately (a deleted channel's are never asked again)
    if (this.loaded.size >= MAX_LOADED) this.loaded.clear()
    if (version === this.version) this.loaded.set(keys.mark, runs)
    return runs
  }
}
