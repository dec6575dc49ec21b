// The HTTP edge of the client: builds URLs, sends JSON with the API key, maps error answers to
// typed errors once, and retries what is safe to retry. Nothing above it sees a Response.
import { abortReason, anySignal, backoffDelay, type ResolvedRetry, sleep } from './backoff.js'
import { ConnectionError, errorFromResponse, HandoffError, RateLimitError } from './errors.js'

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>
export type Query = Record<string, string | number | boolean | null | undefined>

export interface TransportOptions {
  apiUrl: string
  apiKey?: string
  fetch?: FetchLike
  retry: ResolvedRetry
  /** aborts every request and stream of the client */
  signal?: AbortSignal
}

export interface CallOptions {
  query?: Query
  body?: unknown
  signal?: AbortSignal
}

/** Methods that can be sent twice with the same effect as once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])
/** A Retry-After longer than this is the server saying "not now": surface it instead of hanging. */
const MAX_RETRY_AFTER_S = 60

/** `?a=1&b=2` from defined, non-empty values (the seed skipped empty cursors and filters too). */
export function queryString(query: Query | undefined): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue
    params.set(name, String(value))
  }
  const qs = params.toString()
  return qs === '' ? '' : `?${qs}`
}

/** `/api/channels/a%2Fb/...`: every dynamic path segment is encoded. */
export function path(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce(
    (out, s, i) => out + s + (i < segments.length ? encodeURIComponent(segments[i]!) : ''),
    '',
  )
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError')
}

/** The parsed JSON body; a body that is not JSON comes back as `{ text }`. */
async function readBody(res: Response): Promise<{ json: unknown } | { text: string }> {
  const text = await res.text()
  if (text === '') return { json: undefined }
  try {
    return { json: JSON.parse(text) }
  } catch {
    return { text }
  }
}

/** The JSON body of an answer, or undefined when it is empty or not JSON. */
export async function jsonBody(res: Response): Promise<unknown> {
  const body = await readBody(res).catch(() => ({ json: undefined }))
  return 'json' in body ? body.json : undefined
}

/** The body of a 2xx answer; any other answer thrown as the typed error it maps to. */
export async function jsonOrThrow<T>(res: Response): Promise<T> {
  const parsed = await jsonBody(res)
  if (!res.ok) throw errorFromResponse(res.status, parsed, res.headers.get('retry-after'))
  return parsed as T
}

export class Transport {
  readonly apiUrl: string
  readonly apiKey: string | undefined
  readonly retry: ResolvedRetry
  readonly signal: AbortSignal | undefined
  private readonly fetchFn: FetchLike

  constructor(options: TransportOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '')
    this.apiKey = options.apiKey
    this.retry = options.retry
    this.signal = options.signal
    // Bound late so a test or polyfill replacing globalThis.fetch after construction is honoured.
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  }

  url(p: string, query?: Query): string {
    return `${this.apiUrl}${p}${queryString(query)}`
  }

  /** Raw fetch with auth and the client's signal; the stream reader uses it directly. */
  fetch(
    url: string,
    init: Omit<RequestInit, 'signal'> & { signal?: AbortSignal | undefined },
  ): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.apiKey !== undefined) headers.set('Authorization', `Bearer ${this.apiKey}`)
    return this.fetchFn(url, { ...init, headers, signal: anySignal(this.signal, init.signal) ?? null })
  }

  async request<T>(method: string, p: string, options: CallOptions = {}): Promise<T> {
    const signal = anySignal(this.signal, options.signal)
    const url = this.url(p, options.query)
    const hasBody = options.body !== undefined
    const init = {
      method,
      // Content-Type only with a body: some servers refuse an empty body declared as JSON.
      headers: hasBody ? { 'Content-Type': 'application/json' } : undefined,
      body: hasBody ? JSON.stringify(options.body) : null,
    }
    for (let attempt = 0; ; attempt++) {
      let error: HandoffError
      try {
        const res = await this.fetch(url, { ...init, signal })
        const body = await readBody(res)
        if (res.ok && 'json' in body) return body.json as T
        if (res.ok)
          throw new HandoffError(
            `HTTP ${res.status}: not JSON from ${this.apiUrl}`,
            res.status,
            'INVALID_RESPONSE',
          )
        // A proxy's HTML error page or similar: keep a readable piece of it as the message.
        const payload =
          'json' in body ? body.json : { error: `HTTP ${res.status}: ${body.text.slice(0, 200)}` }
        error = errorFromResponse(res.status, payload, res.headers.get('retry-after'))
      } catch (err) {
        if (isAbort(err, signal)) throw signal?.aborted ? abortReason(signal) : err
        if (err instanceof HandoffError) throw err
        error = new ConnectionError(`cannot reach ${this.apiUrl}: ${(err as Error).message}`, { cause: err })
      }
      const wait = this.retryDelay(method, error, attempt)
      if (wait === null) throw error
      await sleep(wait, signal)
    }
  }

  /** ms to wait before retrying after `error`, or null when it must not be retried. */
  private retryDelay(method: string, error: HandoffError, attempt: number): number | null {
    if (attempt >= this.retry.maxRetries) return null
    // A 429 was refused before any work was done, so even a POST may be sent again; anything
    // else may have been applied, so only idempotent methods are repeated.
    const rateLimited = error instanceof RateLimitError
    if (!rateLimited && !IDEMPOTENT.has(method)) return null
    const transient = error instanceof ConnectionError || error.status >= 500 || error.status === 408
    if (!rateLimited && !transient) return null
    if (error.retryAfter !== undefined) {
      if (error.retryAfter > MAX_RETRY_AFTER_S) return null
      // At least what the server asked, plus a little jitter so waiting clients spread out.
      return Math.round(error.retryAfter * 1000 + Math.random() * this.retry.minDelayMs)
    }
    // A quota (KEY_LIMIT_REACHED...) sent without Retry-After will not lift by waiting.
    if (rateLimited && error.code !== 'RATE_LIMITED') return null
    return backoffDelay(attempt, this.retry)
  }
}
