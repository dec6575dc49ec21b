// What apply placed at the newest positions of each positional range of the view (a channel
// generation's messages m/, events e/ and status changes h/), by name, in this process.
//
// The arrival order (node/arrivals.ts) names every item of the view's unsigned tail, and reading
// those items back from the view cost a block read each: ~0.9 s of a 10,000-message catch-up
// whose apply took ~3 s (docs/benchmarks.md). apply has just written them, so it notes their
// names here and the sync takes them from memory, falling back to the view for anything not
// noted (a fast-forwarded view, a restart, a range past the cap).
//
// Positions of one range are given in order (++seq), so a note at position s also says that
// nothing past s holds what was noted there before: autobase undid those operations and
// re-applies them, maybe elsewhere. The notes therefore always describe apply's latest order;
// the reader still checks the last name against its view snapshot before trusting a run.

/** Positions kept per range: past this the oldest notes go (the reader then reads the view). */
const MAX_NOTED = 200_000

interface Run {
  /** position of ids[0] */
  start: number
  ids: string[]
}

export type RangeTag = 'm' | 'e' | 'h'

export class Placements {
  private readonly runs = new Map<string, Run>()

  /** apply wrote the item named `id` at position `seq` of a range. */
  note(tag: RangeTag, channel: string, gen: number, seq: number, id: string): void {
    const key = rangeKey(tag, channel, gen)
    const run = this.runs.get(key)
    if (!run || seq < run.start || seq > run.start + run.ids.length) {
      this.runs.set(key, { start: seq, ids: [id] })
      return
    }
    run.ids.length = seq - run.start // what was noted past seq is undone
    run.ids.push(id)
    if (run.ids.length > MAX_NOTED) {
      const drop = run.ids.length - MAX_NOTED / 2
      run.ids.splice(0, drop)
      run.start += drop
    }
  }

  /**
   * The names noted at positions from+1 .. to, or null unless every one of them is noted; the
   * notes up to `to` are then forgotten (a reader takes each run once).
   */
  take(tag: RangeTag, channel: string, gen: number, from: number, to: number): string[] | null {
    const key = rangeKey(tag, channel, gen)
    const run = this.runs.get(key)
    if (!run || to <= from || from + 1 < run.start || to > run.start + run.ids.length - 1) return null
    const ids = run.ids.slice(from + 1 - run.start, to + 1 - run.start)
    run.ids.splice(0, to + 1 - run.start)
    run.start = to + 1
    if (run.ids.length === 0) this.runs.delete(key)
    return ids
  }

  /** Forget everything (the view was replaced: a fast-forward or a reboot of autobase). */
  clear(): void {
    this.runs.clear()
  }
}

const rangeKey = (tag: RangeTag, channel: string, gen: number) => `${tag}/${gen}/${channel}`
