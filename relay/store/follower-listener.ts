// One consumer of a followed stream (see follower.ts): its cursor, the live events it buffers
// while a replay runs, back-pressure (a consumer that falls behind is resynchronised from the
// stream instead of queueing without bound), and its once-only error report.
import { ApiError } from '../../sdk/api/errors.js'
import { compareIds } from './ids.js'

export interface Item {
  id: string
}
export type OnItem<T> = (item: T) => void | Promise<void>
export type OnError = (err: Error) => void

export const unavailable = () =>
  new ApiError('UNAVAILABLE', 'Storage is unavailable, retry shortly', { retryAfter: 1 })

/** live events a consumer may have queued before it is resynchronised from Redis instead */
const MAX_PENDING = 1_000
/** live events held while a replay runs before the replay is simply read again */
const MAX_BUFFERED = 10_000

export class Listener<T extends Item> {
  closed = false
  /** events that arrived live while a replay was running (null: live) */
  buffer: T[] | null = []
  /**
   * true when live events were dropped because the consumer fell behind: they are read again
   * from the stream (the source of truth) once it caught up, so memory stays bounded and
   * nothing is lost
   */
  lagging = false
  private pending = 0
  private chain: Promise<void> = Promise.resolve()
  private reported = false

  constructor(
    public cursor: string,
    private readonly onEvent: OnItem<T>,
    private readonly resync: () => void,
    private readonly onError: OnError | undefined,
  ) {}

  /** tell the consumer (once) that the feed cannot deliver for now */
  fail(err: Error): void {
    if (this.closed || this.reported || !this.onError) return
    this.reported = true
    try {
      this.onError(err)
    } catch {
      // the consumer's failure is its own
    }
  }

  /** queue an event unless it is at or before the cursor; returns the delivery promise */
  deliver(event: T): Promise<void> {
    if (this.closed || compareIds(event.id, this.cursor) <= 0) return this.chain
    this.cursor = event.id
    this.pending++
    this.chain = this.chain
      .then(() => (this.closed ? undefined : this.onEvent(event)))
      .catch(() => {
        // a failing consumer (a closed socket) must not stop the feed for the others
      })
      .finally(() => {
        this.pending--
      })
    return this.chain
  }

  live(event: T): void {
    if (this.closed) return
    if (this.buffer) {
      if (this.lagging) return
      if (this.buffer.length < MAX_BUFFERED) this.buffer.push(event)
      else {
        this.buffer.length = 0
        this.lagging = true
      }
      return
    }
    if (this.lagging) return
    if (this.pending < MAX_PENDING) {
      void this.deliver(event)
      return
    }
    this.lagging = true
    void this.chain.then(() => this.resync())
  }
}
