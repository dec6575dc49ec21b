// Eager download of the other writers' cores. Left to itself, autobase fetches a remote writer's
// blocks in a window of 256 ahead of what it has linearized (autobase lib/writer.js
// MAX_PREFETCH), so a catch-up downloads at the pace of apply, one window after another. A node
// keeps the whole log anyway, so each remote writer's core is asked for in full as soon as
// autobase knows the writer: the transfer then runs at replication speed, alongside apply, and
// apply finds the blocks already on disk. Off unless HANDOFF_WRITER_PREFETCH=1 (team-log.ts):
// with it a catching-up member tends to apply the whole history itself (slow, and its memory
// grows with the history) where autobase would otherwise fast-forward it to a peer's view.
import type Autobase from 'autobase'
import { remoteWriterCores, type WriterCore } from './remote-writers.js'

export class WriterPrefetch {
  /** one whole-core range per writer core session (a writer re-added gets a new session) */
  private readonly ranges = new Map<WriterCore, { destroy(): void }>()
  private readonly timer: NodeJS.Timeout

  constructor(private readonly base: Autobase<unknown>) {
    // autobase adds writers as it learns of them (not only on 'update'): look now and then
    this.timer = setInterval(() => this.scan(), 1000)
    this.timer.unref()
  }

  /** Start a full download for every active remote writer core not yet asked for. */
  scan(): void {
    try {
      this.scanWriters()
    } catch (err) {
      // only a speed-up: it must never stop the caller (the log's 'update' event)
      if (process.env.HANDOFF_DEBUG) console.error('writer prefetch:', err)
    }
  }

  private scanWriters(): void {
    for (const [core, range] of this.ranges) {
      if (core.closed) {
        range.destroy()
        this.ranges.delete(core)
      }
    }
    for (const core of remoteWriterCores(this.base)) {
      if (this.ranges.has(core)) continue
      try {
        this.ranges.set(core, core.download({ start: 0, end: -1 }))
      } catch {
        // a core closing under us: the next scan skips it
      }
    }
  }

  close(): void {
    clearInterval(this.timer)
    for (const range of this.ranges.values()) range.destroy()
    this.ranges.clear()
  }
}
