// The open SSE streams of one API instance: the per-key limit (429 SSE_LIMIT_REACHED), and a way
// to end them all when the server closes. The limit is counted here, in this process, unless the
// server hands over shared `StreamSlots` (the relay: leases in Redis, so the limit holds across
// every instance and a dead instance's slots come back when its leases expire).
import { ApiError } from '../api/errors.js'
import type { SseWriter } from './sse.js'

/** A held stream slot; release it (once) when the stream ends. */
export interface StreamLease {
  release(): void
}

/** Stream slots shared beyond this process (see SseOptions.slots). */
export interface StreamSlots {
  /** a lease if `keyId` holds fewer than `max` open streams everywhere, else null */
  acquire(teamId: string, keyId: string, max: number): Promise<StreamLease | null>
}

/** Seconds a client is told to wait after SSE_LIMIT_REACHED. */
const SSE_RETRY_AFTER = 5

export class StreamRegistry {
  private readonly writers = new Set<SseWriter>()
  /** slots held per key when counted in this process */
  private readonly held = new Map<string, number>()

  constructor(
    readonly maxPerKey: number,
    private readonly slots?: StreamSlots,
  ) {}

  /** Take a slot for one more stream of `keyId`; throws 429 SSE_LIMIT_REACHED when it has none left. */
  async acquire(teamId: string, keyId: string): Promise<StreamLease> {
    const lease = this.slots
      ? await this.slots.acquire(teamId, keyId, this.maxPerKey)
      : this.acquireLocal(keyId)
    if (!lease) {
      throw new ApiError(
        'SSE_LIMIT_REACHED',
        `Maximum ${this.maxPerKey} concurrent SSE connections per key`,
        { retryAfter: SSE_RETRY_AFTER },
      )
    }
    return lease
  }

  /** Track an open stream (for endAll); its lease is released when it closes. */
  add(writer: SseWriter, lease: StreamLease): void {
    this.writers.add(writer)
    writer.onClose(() => {
      this.writers.delete(writer)
      lease.release()
    })
  }

  get size(): number {
    return this.writers.size
  }

  /** End every stream with a final `shutdown` event (a stream still opening gets 503). */
  endAll(): void {
    for (const writer of [...this.writers]) {
      if (writer.isStarted) writer.end({ type: 'shutdown', data: { reason: 'server shutting down' } })
      else writer.fail(new ApiError('UNAVAILABLE', 'Server is shutting down', { retryAfter: 1 }))
    }
  }

  // synchronous, so two requests cannot both take the last slot
  private acquireLocal(keyId: string): StreamLease | null {
    const n = this.held.get(keyId) ?? 0
    if (n >= this.maxPerKey) return null
    this.held.set(keyId, n + 1)
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        const left = (this.held.get(keyId) ?? 1) - 1
        if (left > 0) this.held.set(keyId, left)
        else this.held.delete(keyId)
      },
    }
  }
}
