// The cores of a team's other writers, as autobase holds them: the sessions it reads their blocks
// through (oplog-decoded). Autobase keeps no public list of them, and writers come and go as
// autobase learns of them (not only on 'update'), so RemoteWriterWatch looks on every 'update'
// (its owner calls scan) and once a second, starting something per core and stopping it when the
// core closes: the full download of node/log/writer-prefetch.ts, the 'download' listener of
// node/log/signatures-ahead.ts.
import type Autobase from 'autobase'

/** A writer core session, as far as the node uses it. */
export interface WriterCore {
  key: Buffer
  writable: boolean
  closed?: boolean
  download(range: { start: number; end: number }): { destroy(): void }
  get(index: number, options: { wait: false }): Promise<{ node?: { value: Buffer | null } } | null>
  on(event: 'download', listener: (index: number) => void): void
  off(event: 'download', listener: (index: number) => void): void
}

/** What this needs of autobase's writer bookkeeping (not in the shared typings). */
interface ActiveWriters {
  activeWriters?: Iterable<{ core: WriterCore }>
}

/** The open cores of the writers this device does not write. */
export function* remoteWriterCores(base: Autobase<unknown>): Generator<WriterCore> {
  const writers = (base as unknown as ActiveWriters).activeWriters
  if (!writers) return
  for (const { core } of writers) if (!core.writable && !core.closed) yield core
}

/** Something started per remote writer core session (a writer re-added gets a new session). */
export interface PerCore<T> {
  /** what the messages of a fault say it is */
  label: string
  start(core: WriterCore): T
  stop(core: WriterCore, started: T): void
}

export class RemoteWriterWatch<T> {
  private readonly started = new Map<WriterCore, T>()
  private readonly timer: NodeJS.Timeout
  private closed = false

  constructor(
    private readonly base: Autobase<unknown>,
    private readonly per: PerCore<T>,
  ) {
    this.timer = setInterval(() => this.scan(), 1000)
    this.timer.unref()
    this.scan()
  }

  /** Start for every remote writer core not started yet; stop for the closed ones. */
  scan(): void {
    if (this.closed) return
    try {
      for (const [core, started] of this.started) {
        if (!core.closed) continue
        this.started.delete(core)
        this.per.stop(core, started)
      }
      for (const core of remoteWriterCores(this.base)) {
        if (this.started.has(core)) continue
        try {
          this.started.set(core, this.per.start(core))
        } catch {
          // a core closing under us: the next scan skips it
        }
      }
    } catch (err) {
      // only ever a speed-up: it must never stop the caller (the log's 'update' event)
      if (process.env.HANDOFF_DEBUG) console.error(`${this.per.label}:`, err)
    }
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    for (const [core, started] of this.started) this.per.stop(core, started)
    this.started.clear()
  }
}
