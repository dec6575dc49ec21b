// A node's client for the relay's node-sync routes: push envelopes, pull the ones it lacks by
// cursor, or follow a space live over SSE, reconnecting with Last-Event-ID so that every
// envelope the relay has is delivered once, in log order. The relay is untrusted: callers
// verify every envelope (sdk/protocol verifyEnvelope) before applying it.
import type { SyncEnvelope, SyncPage, SyncPushResult } from '../api/sync.js'
import { SYNC_MAX_PUSH } from '../api/sync.js'
import { backoffDelay, type RetryOptions, resolveRetry, sleep } from './backoff.js'
import { errorFromResponse, HandoffError } from './errors.js'
import { jsonBody, jsonOrThrow } from './http.js'
import { readEventStream } from './sse.js'

export interface RelaySyncOptions {
  /** relay base URL, e.g. https://relay.example.com */
  url: string
  /** a relay API key of the team with "*": write (push) / "*": read (pull, follow) */
  key: string
  fetch?: typeof fetch
  /** per request, not for follow() */
  timeoutMs?: number
}

export interface PulledEnvelope extends Omit<SyncEnvelope, 'data'> {
  data: Buffer
}

export interface FollowOptions {
  signal?: AbortSignal
  retry?: RetryOptions
  /** reconnect when not even a heartbeat arrives for this long (default 45 s) */
  idleTimeoutMs?: number
  /** told about each failed connection before the retry (for status / logs) */
  onError?: (err: Error) => void
}

/** Statuses after which retrying cannot help. */
const FATAL = new Set([400, 401, 403, 404])

export class RelaySync {
  private readonly base: string
  private readonly fetch: typeof fetch

  constructor(private readonly options: RelaySyncOptions) {
    this.base = options.url.replace(/\/+$/, '')
    this.fetch = options.fetch ?? fetch
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.options.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    })
    return jsonOrThrow<T>(res)
  }

  /** Store envelopes on the relay (any number; sent 100 per request). Results in input order. */
  async push(envelopes: Uint8Array[]): Promise<SyncPushResult[]> {
    const out: SyncPushResult[] = []
    for (let i = 0; i < envelopes.length; i += SYNC_MAX_PUSH) {
      const chunk = envelopes.slice(i, i + SYNC_MAX_PUSH).map((e) => Buffer.from(e).toString('base64'))
      const { results } = await this.request<{ results: SyncPushResult[] }>('POST', '/api/sync/envelopes', {
        envelopes: chunk,
      })
      out.push(...results)
    }
    return out
  }

  /** One page of a space's envelopes after `after` (null/"0": from the start). */
  async pull(
    space: string,
    after: string | null = null,
    limit = 100,
  ): Promise<{ envelopes: PulledEnvelope[]; next_cursor: string; has_more: boolean }> {
    const q = new URLSearchParams({ limit: String(limit) })
    if (after) q.set('after', after)
    const page = await this.request<SyncPage>('GET', `/api/sync/${encodeURIComponent(space)}/envelopes?${q}`)
    return { ...page, envelopes: page.envelopes.map(decode) }
  }

  /**
   * Deliver every envelope after the cursor `after` ("0": from the start; a node keeps the last
   * cursor it applied), then live ones, until `signal` aborts. Resolves on abort; rejects on an
   * error retrying cannot fix (bad key, no access). `onEnvelope` may be async: the next envelope
   * waits for it, and the cursor only moves past an envelope once it returned.
   */
  async follow(
    space: string,
    after: string,
    onEnvelope: (envelope: PulledEnvelope) => void | Promise<void>,
    options: FollowOptions = {},
  ): Promise<void> {
    const retry = resolveRetry(options.retry)
    let cursor = after
    let attempt = 0
    const signal = options.signal
    while (!signal?.aborted) {
      const opened = Date.now()
      // a 429 (stream limit) or 503 (shutdown, store outage) may say when to come back
      let retryAfterMs = 0
      try {
        const q = `?after=${encodeURIComponent(cursor)}`
        const res = await this.fetch(`${this.base}/api/sync/${encodeURIComponent(space)}/stream${q}`, {
          headers: {
            authorization: `Bearer ${this.options.key}`,
            accept: 'text/event-stream',
          },
          signal,
        })
        if (!res.ok || !res.body) {
          throw errorFromResponse(res.status, await jsonBody(res), res.headers.get('retry-after'))
        }
        await readEventStream(res.body, {
          idleTimeoutMs: options.idleTimeoutMs ?? 45_000,
          onEvent: async (event) => {
            if (event.event === 'error') {
              const body = JSON.parse(event.data) as { error?: string; code?: string }
              const status = body.code === 'INVALID_API_KEY' ? 401 : body.code === 'FORBIDDEN' ? 403 : 503
              throw errorFromResponse(status, body, null)
            }
            if (event.event !== 'envelope') return
            const item = decode(JSON.parse(event.data) as SyncEnvelope)
            await onEnvelope(item)
            cursor = item.cursor
          },
        })
      } catch (err) {
        if (signal?.aborted) break
        if (err instanceof HandoffError && FATAL.has(err.status)) throw err
        retryAfterMs = retryAfterOf(err)
        options.onError?.(err instanceof Error ? err : new Error(String(err)))
      }
      if (signal?.aborted) break
      if (Date.now() - opened > 5_000) attempt = 0
      try {
        await sleep(Math.max(backoffDelay(attempt++, retry), retryAfterMs), signal)
      } catch {
        break
      }
    }
  }
}

/** The wait a 429 or 503 asked for, in ms (0: none); reconnecting sooner would only be refused again. */
function retryAfterOf(err: unknown): number {
  if (!(err instanceof HandoffError) || (err.status !== 429 && err.status !== 503)) return 0
  return err.retryAfter === undefined ? 0 : err.retryAfter * 1000
}

function decode(item: SyncEnvelope): PulledEnvelope {
  return { ...item, data: Buffer.from(item.data, 'base64') }
}
