// Writes one Server-Sent Events response. It owns the wire format (`id:` on every event, `event:`
// names, one `data:` line of JSON), the heartbeat, back-pressure, and the end of the stream.
// Headers go out lazily, on the first event or on start(), so a failure before that can still be
// answered with a plain JSON error and the right status.
import type { ServerResponse } from 'node:http'
import type { ApiError } from '../api/errors.js'
import type { StreamEvent } from '../api/types.js'

export interface SseWriterOptions {
  heartbeatMs: number
  /** unread bytes allowed before the client is dropped as too slow */
  maxBufferedBytes: number
  /** the seed's initial comment of 8 KiB, so buffering reverse proxies pass the stream at once */
  padding: boolean
}

// An id may not hold a line break; anything else the store issues is passed through.
const SAFE_ID = /^[^\r\n]{1,256}$/

// A live event reaches every stream of its channel on this instance as the same object: its JSON
// is made once, not once per subscriber (1,000 streams, 1,000 JSON.stringify calls otherwise).
const dataJson = new WeakMap<object, string>()
function jsonOf(data: unknown): string {
  if (typeof data !== 'object' || data === null) return JSON.stringify(data)
  let json = dataJson.get(data)
  if (json === undefined) {
    json = JSON.stringify(data)
    dataJson.set(data, json)
  }
  return json
}

export class SseWriter {
  private started = false
  private ended = false
  private heartbeat: NodeJS.Timeout | undefined
  private lastId: string | null = null
  private drainWait: Promise<void> | undefined
  private readonly closeListeners: Array<(reason: string) => void> = []

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseWriterOptions,
  ) {
    res.on('close', () => this.finish('client disconnected'))
  }

  get isStarted(): boolean {
    return this.started
  }

  get isEnded(): boolean {
    return this.ended
  }

  get lastEventId(): string | null {
    return this.lastId
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener)
  }

  start(): void {
    if (this.started || this.ended) return
    this.started = true
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    this.res.write(this.options.padding ? `:${'_'.repeat(8192)}\n:ok\n\n` : ':ok\n\n')
    this.heartbeat = setInterval(() => this.write(':keepalive\n\n'), this.options.heartbeatMs)
    this.heartbeat.unref()
  }

  /** Write one event; the promise settles once the socket has taken it (or the stream ended). */
  send(event: StreamEvent): Promise<void> {
    if (this.ended) return Promise.resolve()
    this.start()
    const id = SAFE_ID.test(event.id) ? event.id : null
    if (id) this.lastId = id
    const frame = `${id ? `id: ${id}\n` : ''}event: ${event.type}\ndata: ${jsonOf(event.data)}\n\n`
    return this.write(frame) ? Promise.resolve() : this.drained()
  }

  /** End with a last event (`shutdown`, `error`) that carries the last id so a client resumes after it. */
  end(event?: { type: string; data: unknown }): void {
    if (this.ended) return
    if (event && this.started && this.res.writable) {
      const id = this.lastId ? `id: ${this.lastId}\n` : ''
      this.res.write(`${id}event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`)
    }
    this.res.end()
    this.finish(event?.type ?? 'ended')
  }

  /**
   * End because of `err`: before the headers went out, as an ordinary JSON error with its status;
   * after, as a last `error` event (the seed's SDK reports `event: error` data `{error}`).
   */
  fail(err: ApiError): void {
    if (this.ended) return
    if (this.started) {
      this.end({ type: 'error', data: err.toJSON() })
      return
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
    if (err.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfter)))
    if (this.res.writable && !this.res.headersSent) this.res.writeHead(err.status, headers)
    this.res.end(JSON.stringify(err.toJSON()))
    this.finish(err.code)
  }

  private write(chunk: string): boolean {
    if (this.ended || !this.res.writable) return true
    const ok = this.res.write(chunk)
    if (!ok && this.res.writableLength > this.options.maxBufferedBytes) {
      // A client that does not read must not make the server hold its backlog in memory.
      this.res.destroy()
      this.finish('client too slow')
      return true
    }
    return ok
  }

  // One shared wait however many sends are pending, so listeners do not pile up on the socket.
  private drained(): Promise<void> {
    if (this.ended || this.res.destroyed) return Promise.resolve()
    this.drainWait ??= new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done)
        this.res.off('close', done)
        this.drainWait = undefined
        resolve()
      }
      this.res.on('drain', done)
      this.res.on('close', done)
    })
    return this.drainWait
  }

  private finish(reason: string): void {
    if (this.ended) return
    this.ended = true
    clearInterval(this.heartbeat)
    for (const listener of this.closeListeners.splice(0)) listener(reason)
  }
}
