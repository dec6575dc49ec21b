// Raw HTTP helpers for the conformance suite: global fetch with a key, a verbatim-path request
// for path tricks (fetch would normalise `..`), and expectations on the seed's error shape.
// Every request has a timeout, so a server that hangs fails a test instead of stalling the run.
import { request as httpRequest } from 'node:http'
import { expect } from 'vitest'

export { closeAllStreams, openStream, type SseEvent, SseStream } from './sse.js'

export const REQUEST_TIMEOUT_MS = 10_000

export interface HttpResult {
  status: number
  headers: Headers
  text: string
  /** the parsed JSON body, or undefined when the body is empty or not JSON */
  body: any
}

export interface RequestOptions {
  /** JSON-serialised as the body */
  json?: unknown
  /** a raw body, sent as is (for malformed JSON and bad bytes) */
  raw?: string | Uint8Array
  /** Content-Type for a body; null sends none. Default application/json. */
  contentType?: string | null
  headers?: Record<string, string>
  /** overrides the client's key for this request; null sends no Authorization header */
  key?: string | null
}

function parseBody(text: string): any {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly key: string | null = null,
  ) {}

  as(key: string | null): Client {
    return new Client(this.baseUrl, key)
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = {}
    const key = options.key === undefined ? this.key : options.key
    if (key !== null) headers.authorization = `Bearer ${key}`
    let body: string | Uint8Array | undefined
    if (options.json !== undefined) body = JSON.stringify(options.json)
    if (options.raw !== undefined) body = options.raw
    const contentType = options.contentType === undefined ? 'application/json' : options.contentType
    if (body !== undefined && contentType !== null) headers['content-type'] = contentType
    Object.assign(headers, options.headers)
    const res = await fetch(this.baseUrl + path, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, text, body: parseBody(text) }
  }

  get(path: string, options?: RequestOptions): Promise<HttpResult> {
    return this.request('GET', path, options)
  }
  post(path: string, json?: unknown, options: RequestOptions = {}): Promise<HttpResult> {
    return this.request('POST', path, json === undefined ? options : { ...options, json })
  }
  put(path: string, json?: unknown, options: RequestOptions = {}): Promise<HttpResult> {
    return this.request('PUT', path, json === undefined ? options : { ...options, json })
  }
  delete(path: string, options?: RequestOptions): Promise<HttpResult> {
    return this.request('DELETE', path, options)
  }
}

/**
 * Sends `rawPath` byte for byte (node:http does not resolve `..` or re-encode), for path tricks
 * that fetch's URL parser would rewrite before they reach the server.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  rawPath: string,
  options: { key?: string; body?: string } = {},
): Promise<HttpResult> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {}
    if (options.key) headers.authorization = `Bearer ${options.key}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: rawPath, headers, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const resHeaders = new Headers()
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') resHeaders.set(name, value)
            else if (Array.isArray(value)) resHeaders.set(name, value.join(', '))
          }
          resolve({ status: res.statusCode ?? 0, headers: resHeaders, text, body: parseBody(text) })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${rawPath} in time`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

function describeResult(res: HttpResult): string {
  return `${res.status} ${res.text.slice(0, 500)}`
}

/** The status must be `status`; the body is returned for further checks. */
export function expectStatus(res: HttpResult, status: number): any {
  expect(res.status, describeResult(res)).toBe(status)
  if (status === 204) expect(res.text, 'a 204 has no body').toBe('')
  else expect(res.headers.get('content-type') ?? '', describeResult(res)).toMatch(/json/)
  return res.body
}

/**
 * The seed's error contract: the given status (or one of several), a JSON body of exactly
 * `{error: readable string, code: UPPER_SNAKE}` with the given code (or one of several), and
 * Retry-After on 429 and 503.
 */
export function expectError(res: HttpResult, status: number | number[], code: string | string[]): void {
  const statuses = Array.isArray(status) ? status : [status]
  const codes = Array.isArray(code) ? code : [code]
  expect(statuses, describeResult(res)).toContain(res.status)
  expect(res.headers.get('content-type') ?? '', describeResult(res)).toMatch(/application\/json/)
  expect(res.body, describeResult(res)).toBeTypeOf('object')
  expect(typeof res.body.error, describeResult(res)).toBe('string')
  expect(res.body.error.length, describeResult(res)).toBeGreaterThan(0)
  expect(res.body.code, describeResult(res)).toMatch(/^[A-Z][A-Z0-9_]*$/)
  expect(codes, describeResult(res)).toContain(res.body.code)
  if (res.status === 429 || res.status === 503) expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
}

/** Anything a client can send: a 4xx with the error shape, never a 5xx. */
export function expectClientError(res: HttpResult): void {
  expect(res.status, describeResult(res)).toBeGreaterThanOrEqual(400)
  expect(res.status, describeResult(res)).toBeLessThan(500)
  expect(res.body, describeResult(res)).toBeTypeOf('object')
  expect(typeof res.body.error, describeResult(res)).toBe('string')
  expect(res.body.code, describeResult(res)).toMatch(/^[A-Z][A-Z0-9_]*$/)
}

/** `encodeURIComponent` for path segments, as the seed SDK builds its URLs. */
export const seg = encodeURIComponent
