// The open SSE streams of one API instance: the per-key limit (429 SSE_LIMIT_REACHED), and a way
// to end them all when the server closes.
import { ApiError } from '../api/errors.js'
import type { SseWriter } from './sse.js'

export class StreamRegistry {
  private readonly byKey = new Map<string, Set<SseWriter>>()

  constructor(readonly maxPerKey: number) {}

  /** Register a stream for `keyId`; false when the key already has its maximum open. */
  tryAdd(keyId: string, writer: SseWriter): boolean {
    const set = this.byKey.get(keyId) ?? new Set<SseWriter>()
    if (set.size >= this.maxPerKey) return false
    set.add(writer)
    this.byKey.set(keyId, set)
    writer.onClose(() => {
      set.delete(writer)
      if (set.size === 0 && this.byKey.get(keyId) === set) this.byKey.delete(keyId)
    })
    return true
  }

  count(keyId: string): number {
    return this.byKey.get(keyId)?.size ?? 0
  }

  get size(): number {
    let n = 0
    for (const set of this.byKey.values()) n += set.size
    return n
  }

  /** End every stream with a final `shutdown` event (a stream still opening gets 503). */
  endAll(): void {
    for (const set of [...this.byKey.values()]) {
      for (const writer of [...set]) {
        if (writer.isStarted) writer.end({ type: 'shutdown', data: { reason: 'server shutting down' } })
        else writer.fail(new ApiError('UNAVAILABLE', 'Server is shutting down', { retryAfter: 1 }))
      }
    }
  }
}
