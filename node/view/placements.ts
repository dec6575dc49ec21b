// What apply placed at the newest positions of each positional range of the view (a channel
// generation's messages m/, events e/ and status changes h/), by name, in this process.
//
// The arrival order (node/arrivals.ts) names every item of the view's unsigned tail, and reading
// those items back from the view cost a block read each: ~0.9 s of a 10,000-message catch-up
// whose apply took ~3 s (docs/benchmarks.md). apply has just written them, so it notes their
// names here and the sync takes them from memory, falling back to the view for anything not
// noted (a fast-forwarded view, a restart, a range past the caps).
//
// Positions of one range are given in order (++seq), so a note at position s also says that
// nothing past s holds what was noted there before: autobase undid those operations and
// re-applies them, maybe elsewhere. The notes therefore always describe apply's latest order
// over one view (autobase builds a new one when it fast-forwards or reboots, and the notes of the
// old one go); the reader still checks the first and last names against its view snapshot.

/** Positions kept per range: past this the oldest half goes (the reader then reads the view). */
export const MAX_RANGE_NOTES = 100_000
/** Notes kept in all: past this all go. A range nobody reads (the events of a channel no SSE
 *  stream follows) is never taken, so this is what bounds the memory (~100 bytes a note). */
export const MAX_NOTES = 200_000

export type RangeTag = 'm' | 'e' | 'h'

/** What the arrival order asks: the names at positions from+1 .. to, or null. */
export type NotedNames = (
  tag: RangeTag,
  channel: string,
  gen: number,
  from: number,
  to: number,
) => string[] | null

interface Run {
  gen: number
  /** position of ids[0] */
  start: number
  ids: string[]
}

export class Placements {
  private readonly runs = new Map<string, Run>()
  private total = 0
  private view: object | null = null

  /** The view apply writes to (autobase's, per apply state) that the notes describe. */
  get producer(): object | null {
    return this.view
  }

  /** apply starts a call over `view`: notes made over another one are dropped. */
  over(view: object): void {
    if (view === this.view) return
    this.clear()
    this.view = view
  }

  /** apply wrote the item named `id` at position `seq` of a range. */
  note(tag: RangeTag, channel: string, gen: number, seq: number, id: string): void {
    const key = `${tag}/${channel}`
    const run = this.runs.get(key)
    // a name sliced from a longer string (an ack's or a delete's, from its envelope) would keep
    // the whole envelope's base64 alive
    const name = id.length > 40 ? Buffer.from(id, 'latin1').toString('latin1') : id
    if (!run || run.gen !== gen || seq < run.start || seq > run.start + run.ids.length) {
      this.total += 1 - (run?.ids.length ?? 0)
      this.runs.set(key, { gen, start: seq, ids: [name] })
    } else {
      this.total -= run.ids.length - (seq - run.start)
      run.ids.length = seq - run.start // what was noted past seq is undone
      run.ids.push(name)
      this.total++
      if (run.ids.length > MAX_RANGE_NOTES) {
        const drop = run.ids.length - MAX_RANGE_NOTES / 2
        run.ids.splice(0, drop)
        run.start += drop
        this.total -= drop
      }
    }
    if (this.total > MAX_NOTES) this.clear(this.view)
  }

  /**
   * The names noted at positions from+1 .. to; null when one of them is not noted or the range
   * is empty. Either way the notes up to `to` are forgotten: the reader has named those
   * positions now.
   */
  take(tag: RangeTag, channel: string, gen: number, from: number, to: number): string[] | null {
    const key = `${tag}/${channel}`
    const run = this.runs.get(key)
    if (!run || run.gen !== gen) return null
    // an empty range (a sync with nothing new past its mark, or a signed view whose positions
    // need no names: a node alone) forgets too, or the notes of such a node would only grow
    const complete = to > from && from + 1 >= run.start && to <= run.start + run.ids.length - 1
    const ids = complete ? run.ids.slice(from + 1 - run.start, to + 1 - run.start) : null
    const used = Math.min(run.ids.length, Math.max(0, to + 1 - run.start))
    run.ids.splice(0, used)
    run.start += used
    this.total -= used
    if (run.ids.length === 0) this.runs.delete(key)
    return ids
  }

  /** Forget every note (the view they describe stays the producer). */
  clear(view: object | null = null): void {
    this.runs.clear()
    this.total = 0
    this.view = view
  }
}
