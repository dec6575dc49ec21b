// Reads one text/event-stream response body into events, in order, with back-pressure: the next
// chunk is not read until the handler of every event before it has finished (it may be async,
// for example to decrypt), so a slow consumer slows the socket instead of growing a queue.
import { createParser, type EventSourceMessage } from 'eventsource-parser'

export type SseEvent = EventSourceMessage

export interface SseHandlers {
  onEvent(event: SseEvent): void | Promise<void>
  /** the server's `retry:` field, in ms */
  onRetry?(ms: number): void
  /**
   * Give up when no byte (event or heartbeat comment) arrives for this long: a peer that
   * vanished without closing the TCP connection would otherwise hold the stream for ever.
   */
  idleTimeoutMs?: number
}

export class StreamIdleError extends Error {
  override name = 'StreamIdleError'
}

/** One event may not exceed this many characters: a hostile stream cannot exhaust memory. */
const MAX_EVENT_CHARS = 4 * 1024 * 1024

/** Resolves when the server ends the stream; rejects on a network error or a malformed stream. */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  handlers: SseHandlers,
): Promise<void> {
  const pending: SseEvent[] = []
  let parseError: Error | undefined
  const parser = createParser({
    onEvent: (event) => pending.push(event),
    onRetry: (ms) => handlers.onRetry?.(ms),
    onError: (err) => {
      // Unknown fields are ignorable by the SSE spec; only an oversize event breaks the stream.
      if (err.type === 'max-buffer-size-exceeded') parseError = err
    },
    maxBufferSize: MAX_EVENT_CHARS,
  })
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  const idleMs = handlers.idleTimeoutMs
  try {
    for (;;) {
      const { done, value } = idleMs === undefined ? await reader.read() : await readWithin(reader, idleMs)
      if (done) return
      parser.feed(value)
      if (parseError) throw parseError
      while (pending.length > 0) await handlers.onEvent(pending.shift()!)
    }
  } finally {
    // Release the socket whether we finished, failed or were aborted.
    await reader.cancel().catch(() => undefined)
  }
}

function readWithin<T>(
  reader: ReadableStreamDefaultReader<T>,
  ms: number,
): ReturnType<ReadableStreamDefaultReader<T>['read']> {
  let timer: NodeJS.Timeout | undefined
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StreamIdleError(`no data from the server for ${ms} ms`)), ms)
  })
  return Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer))
}
