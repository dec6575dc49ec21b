// A channel's live stream as an EventEmitter, seed-compatible (`message`, `error`, `cursor`,
// `close`; `connect()`, `close()`, `connected`) and, unlike the seed, resilient: it reconnects
// with jittered backoff sending Last-Event-ID, and drops any event id it has already delivered,
// so a handler sees every event once across drops and server restarts.
import { EventEmitter } from 'node:events'
import { ERROR_STATUS, type ErrorCode } from '../api/errors.js'
import type { Ack, Message, StatusChange } from '../api/types.js'
import { abortReason, backoffDelay, type ResolvedRetry, sleep } from './backoff.js'
import { ConnectionError, errorFromResponse } from './errors.js'
import type { Transport } from './http.js'
import { readEventStream, type SseEvent } from './sse.js'
import type { ChannelEvent, DeleteEventData } from './types.js'

export interface SubscriptionDecoders {
  message(message: Message): Promise<Message>
  statusChange(change: StatusChange): Promise<StatusChange>
}

export interface SubscriptionConfig {
  transport: Transport
  channel: string
  decoders: SubscriptionDecoders
  lastEventId?: string | undefined
  /** backoff between reconnects; false: never reconnect (the seed's behaviour) */
  reconnect: ResolvedRetry | false
  signal?: AbortSignal | undefined
  /** reconnect when nothing, not even a heartbeat, arrives for this long */
  idleTimeoutMs: number
  /** the newest message id of the channel, used as a cursor until the first event arrives */
  baseline?: (signal: AbortSignal) => Promise<string | undefined>
}

/** Statuses after which reconnecting cannot help: bad cursor, bad key, no access, no channel. */
const FATAL = new Set([400, 401, 403, 404])
/** Events that carry data a handler must see once. */
const DATA_EVENTS = new Set(['message', 'status', 'delete', 'ack'])
/** How many delivered ids are remembered for de-duplication. */
const SEEN_LIMIT = 10_000
/** A connection that lived this long counts as healthy: the next drop starts backoff afresh. */
const HEALTHY_MS = 5_000

/** The events a subscription emits, and their arguments. */
export interface SubscriptionEvents {
  message: [message: Message]
  status: [change: StatusChange]
  delete: [data: DeleteEventData]
  ack: [ack: Ack]
  event: [event: ChannelEvent]
  error: [error: Error]
  cursor: [id: string]
  open: []
  close: []
}

export class Subscription extends EventEmitter<SubscriptionEvents> {
  private readonly config: SubscriptionConfig
  private readonly controller = new AbortController()
  private readonly seen = new Set<string>()
  private cursorId: string | undefined
  /** the cursor is the newest message id read at open time, not an event id the stream sent */
  private cursorIsBaseline = false
  private open = false
  private closed = false
  private running: Promise<void> | undefined
  private readyWaiters: Array<{ resolve(): void; reject(err: Error): void }> = []
  private fatalError: Error | undefined
  private finished = false
  private lastError: Error | undefined
  private serverRetryMs: number | undefined

  constructor(config: SubscriptionConfig) {
    // An async handler that rejects is reported through report(), not as an unhandled rejection.
    super({ captureRejections: true })
    this.config = config
    this.cursorId = config.lastEventId
    const stop = () => this.close()
    for (const signal of [config.transport.signal, config.signal]) {
      if (signal?.aborted) this.closed = true
      else signal?.addEventListener('abort', stop, { once: true })
    }
  }

  get channel(): string {
    return this.config.channel
  }

  /** true while an HTTP stream is open (false while reconnecting). */
  get connected(): boolean {
    return this.open
  }

  /** The id of the last event delivered: pass it as `last_event_id` to resume elsewhere. */
  get lastEventId(): string | undefined {
    return this.cursorId
  }

  /**
   * Start streaming. As in the seed, the promise settles when the subscription ends (close(),
   * abort, or an error reconnecting cannot fix); it never rejects. Use ready() to wait for the
   * stream to be open.
   */
  connect(): Promise<void> {
    this.running ??= this.run()
    return this.running
  }

  /** Resolves once the stream is open; rejects if the subscription ends before that. */
  ready(): Promise<void> {
    if (this.open) return Promise.resolve()
    if (this.closed) return Promise.reject(this.fatalError ?? new Error('subscription is closed'))
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.controller.abort()
    // Never connected: nothing else will emit close or settle the waiters.
    if (!this.running) this.finish()
  }

  private async run(): Promise<void> {
    let attempt = 0
    while (!this.closed) {
      const openedAt = Date.now()
      let delay: number | undefined
      try {
        delay = await this.stream()
      } catch (err) {
        if (this.closed) break
        this.report(err instanceof Error ? err : new Error(String(err)))
      }
      this.open = false
      if (this.closed || this.config.reconnect === false) break
      if (Date.now() - openedAt >= HEALTHY_MS) attempt = 0
      const wait = delay ?? this.reconnectDelay(attempt++)
      try {
        await sleep(wait, this.controller.signal)
      } catch {
        break // aborted by close(): leave the loop and emit close below
      }
    }
    this.closed = true
    this.finish()
  }

  /** The server's `retry:` raises the first step; backoff and jitter still apply above it. */
  private reconnectDelay(attempt: number): number {
    const policy = this.config.reconnect as ResolvedRetry
    if (this.serverRetryMs === undefined) return backoffDelay(attempt, policy)
    const minDelayMs = Math.min(Math.max(policy.minDelayMs, this.serverRetryMs), policy.maxDelayMs)
    return backoffDelay(attempt, { ...policy, minDelayMs })
  }

  /** One connection. Returns a wait in ms the server asked for (429), else undefined. */
  private async stream(): Promise<number | undefined> {
    const { transport, channel } = this.config
    const headers: Record<string, string> = { Accept: 'text/event-stream' }
    if (this.cursorId !== undefined) headers['Last-Event-ID'] = this.cursorId
    const url = transport.url(`/api/channels/${encodeURIComponent(channel)}/stream`)
    const res = await transport
      .fetch(url, { method: 'GET', headers, signal: this.controller.signal })
      .catch((err: unknown) => {
        if (this.controller.signal.aborted) throw err
        throw new ConnectionError(`cannot reach ${transport.apiUrl}: ${(err as Error).message}`, {
          cause: err,
        })
      })
    if (!res.ok || !res.body) {
      const body: unknown = await res.json().catch(() => undefined)
      const error = errorFromResponse(res.status, body, res.headers.get('retry-after'))
      if (res.status === 400 && this.cursorIsBaseline) {
        // The server does not take a message id as an event cursor: fall back to no cursor.
        this.cursorId = undefined
        this.cursorIsBaseline = false
        return 0
      }
      if (FATAL.has(res.status)) {
        this.fatalError = error
        this.report(error)
        this.close()
        return undefined
      }
      this.report(error)
      return error.retryAfter !== undefined ? error.retryAfter * 1000 : undefined
    }
    this.open = true
    this.safeEmit('open')
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve()
    if (this.cursorId === undefined) void this.takeBaseline()
    await readEventStream(res.body, {
      idleTimeoutMs: this.config.idleTimeoutMs,
      onEvent: (event) => this.deliver(event),
      onRetry: (ms) => {
        this.serverRetryMs = ms
      },
    })
    return undefined
  }

  /**
   * A stream opened without a cursor has nothing to resume from until its first event, so a
   * drop before then would lose what is posted meanwhile. The newest message id at open time
   * closes that gap (message events carry the message's id); an event that arrives first wins.
   */
  private async takeBaseline(): Promise<void> {
    const { baseline } = this.config
    if (!baseline) return
    try {
      const id = await baseline(this.controller.signal)
      if (id !== undefined && this.cursorId === undefined && !this.closed) {
        this.cursorId = id
        this.cursorIsBaseline = true
      }
    } catch (err) {
      if (!this.closed) this.report(err instanceof Error ? err : new Error(String(err)))
    }
  }

  private async deliver(event: SseEvent): Promise<void> {
    if (this.closed) return
    const id = event.id
    const type = event.event ?? 'message'
    // A data event already delivered is dropped; control events (error, shutdown) repeat the
    // last id on purpose and are still read.
    const duplicate = id !== undefined && this.seen.has(id)
    if (duplicate && DATA_EVENTS.has(type)) return
    try {
      await this.dispatch(type, id ?? '', event.data)
    } catch (err) {
      // A handler's exception or a malformed event must not kill the stream or redeliver it.
      this.report(err instanceof Error ? err : new Error(String(err)))
    }
    if (id === undefined || id === '' || duplicate) return
    this.remember(id)
    this.cursorId = id
    this.cursorIsBaseline = false
    this.safeEmit('cursor', id)
  }

  private async dispatch(type: string, id: string, data: string): Promise<void> {
    if (type === 'error') {
      // The server ends a stream this way (key revoked, access lost): typed like an HTTP error.
      const payload = JSON.parse(data) as { error?: string; code?: string }
      const status = ERROR_STATUS[payload.code as ErrorCode] ?? 0
      this.report(errorFromResponse(status, { error: 'stream error', code: 'SSE_ERROR', ...payload }, null))
      return
    }
    const { decoders } = this.config
    if (type === 'message') {
      this.emitEvent({ type, id, data: await decoders.message(JSON.parse(data) as Message) })
    } else if (type === 'status') {
      this.emitEvent({ type, id, data: await decoders.statusChange(JSON.parse(data) as StatusChange) })
    } else if (type === 'delete') {
      this.emitEvent({ type, id, data: JSON.parse(data) as DeleteEventData })
    } else if (type === 'ack') {
      this.emitEvent({ type, id, data: JSON.parse(data) as Ack })
    }
    // Any other type is a newer server's event: ignored, as old clients must (its id still counts).
  }

  /** The typed event first (`message`, `status`...), then the catch-all `event`. */
  private emitEvent(event: ChannelEvent): void {
    switch (event.type) {
      case 'message':
        this.safeEmit('message', event.data)
        break
      case 'status':
        this.safeEmit('status', event.data)
        break
      case 'delete':
        this.safeEmit('delete', event.data)
        break
      case 'ack':
        this.safeEmit('ack', event.data)
        break
    }
    this.safeEmit('event', event)
  }

  override [EventEmitter.captureRejectionSymbol]<K>(error: Error, _event: K, ..._args: unknown[]): void {
    this.report(error)
  }

  private remember(id: string): void {
    this.seen.add(id)
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value!)
  }

  private safeEmit<K extends keyof SubscriptionEvents>(name: K, ...args: SubscriptionEvents[K]): void {
    try {
      ;(this.emit as (n: K, ...a: SubscriptionEvents[K]) => boolean)(name, ...args)
    } catch (err) {
      this.report(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Errors go to 'error' listeners; with none, they are dropped rather than crash the process. */
  private report(error: Error): void {
    this.lastError = error
    if (this.listenerCount('error') === 0) return
    try {
      this.emit('error', error)
    } catch {
      // An error listener that throws has nowhere further to report to.
    }
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.open = false
    // Why ready() failed: what ended it, else the last failure (reconnect: false), else close().
    const reason = this.fatalError ?? this.lastError ?? abortReason(this.controller.signal)
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(reason)
    this.safeEmit('close')
  }
}
