// The names of the arrival entries whose aseq is their view position (node/arrivals.ts), kept as
// runs: r/<first aseq> -> { ids } with up to RUN_IDS names each, instead of a p/ entry per item.
// Almost every item of an unsigned tail arrives where its aseq says, and a p/ entry each was
// ~0.3-0.5 s of puts per 10,000 (docs/benchmarks.md); a run is one put per sync. The mark says
// which aseqs the runs cover: (base, aligned]. Runs may start below base (a fold only deletes a
// run once base passed its last aseq); names below base are never asked for. A run is written
// once and deleted whole, never changed.
import type Hyperbee from 'hyperbee'
import type { FeedKeys } from './arrival-feeds.js'
import { seqOf } from './view/keys.js'

/** Names per run entry: bounds one value's size (~40 KB) and what a run's rewrite costs. */
const RUN_IDS = 1024

export interface RunValue {
  ids: string[]
}

type Batch = ReturnType<Hyperbee<unknown>['batch']>

/** The runs of one feed of one channel generation, in memory, by first aseq. */
type Loaded = Array<{ start: number; ids: string[] }>

export class AlignedRuns {
  /** per feed and generation (FeedKeys.mark), as flushed to the bee */
  private readonly loaded = new Map<string, Loaded>()
  /** bumped by forget: a load that a flush overtook is not kept */
  private version = 0

  constructor(private readonly bee: Hyperbee<unknown>) {}

  /** The name at `aseq` as the runs hold it, or undefined (not covered, or gone since). */
  async nameAt(keys: FeedKeys, aseq: number): Promise<string | undefined> {
    const runs = this.loaded.get(keys.mark) ?? (await this.load(keys))
    // the last run starting at or before aseq (runs are few: one per 1,024 names)
    for (let i = runs.length - 1; i >= 0; i--) {
      const run = runs[i] as Loaded[number]
      if (run.start <= aseq) return run.ids[aseq - run.start]
    }
    return undefined
  }

  /** Write the names of aseq start .. start+ids.length-1. */
  async append(batch: Batch, keys: FeedKeys, start: number, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += RUN_IDS)
      await batch.put(keys.run(start + i), { ids: ids.slice(i, i + RUN_IDS) } satisfies RunValue)
  }

  /** Delete the flushed runs wholly at or below `base` (all of them when base is Infinity). */
  async dropThrough(batch: Batch, keys: FeedKeys, base: number): Promise<void> {
    for await (const { key, value } of this.bee.createReadStream(keys.runs)) {
      if (seqOf(key) + (value as RunValue).ids.length - 1 > base) break
      await batch.del(key)
    }
  }

  /** A sync's batch was flushed: what the bee holds now is read again when next asked. */
  forget(keys: FeedKeys): void {
    this.version++
    this.loaded.delete(keys.mark)
  }

  private async load(keys: FeedKeys): Promise<Loaded> {
    const version = this.version
    const runs: Loaded = []
    for await (const { key, value } of this.bee.createReadStream(keys.runs))
      runs.push({ start: seqOf(key), ids: (value as RunValue).ids })
    if (version === this.version) this.loaded.set(keys.mark, runs)
    return runs
  }
}
