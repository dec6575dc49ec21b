// Retries and cancellation: 429 waits for Retry-After (a POST too: the server refused it before
// doing anything), 5xx and network failures are retried for idempotent calls only, and an
// AbortSignal stops a call even while it waits to retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../test/support/redis-server.js'
import { ConnectionError, type FetchLike, Handoff, HandoffError, RateLimitError } from '../index.js'
import { type SdkServer, targets } from './support/targets.js'

/**
 * The real fetch, counting calls; the first `failures` calls are answered with a 503 as a
 * proxy in front of the server would (with `headers`, e.g. a Retry-After).
 */
function countingFetch(failures = 0, headers: Record<string, string> = {}): FetchLike & { calls: string[] } {
  const calls: string[] = []
  const fn = async (input: string, init?: RequestInit) => {
    calls.push(init?.method ?? 'GET')
    if (calls.length <= failures) {
      const body = JSON.stringify({ error: 'upstream unavailable', code: 'UNAVAILABLE' })
      return new Response(body, { status: 503, headers })
    }
    return fetch(input, init)
  }
  return Object.assign(fn, { calls })
}

describe('SDK retries without a server', () => {
  it('retries an idempotent call on a refused connection, then throws ConnectionError', async () => {
    const port = await freePort()
    const counted = countingFetch()
    const client = new Handoff({
      apiUrl: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      fetch: counted,
      retry: { maxRetries: 2, minDelayMs: 10 },
    })
    const err = await client.listChannels().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err).toMatchObject({ status: 0, code: 'CONNECTION_ERROR' })
    expect(counted.calls).toEqual(['GET', 'GET', 'GET'])

    counted.calls.length = 0
    await expect(client.post('ch', 'x')).rejects.toBeInstanceOf(ConnectionError)
    expect(counted.calls).toEqual(['POST']) // a POST may have been applied: never sent twice
  })
})

for (const target of targets) {
  describe(`SDK retries on the ${target.name}`, () => {
    let server: SdkServer

    beforeAll(async () => {
      server = await target.start()
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('retries a GET on a 5xx but never a POST', async () => {
      const flaky = countingFetch(2)
      const client = new Handoff({
        apiUrl: server.url,
        apiKey: server.adminKey,
        fetch: flaky,
        retry: { minDelayMs: 10 },
      })
      expect(Array.isArray(await client.listChannels())).toBe(true)
      expect(flaky.calls).toEqual(['GET', 'GET', 'GET'])

      const flakyPost = countingFetch(1)
      const poster = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, fetch: flakyPost })
      const err = await poster.createChannel('never-twice').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HandoffError)
      expect(err).toMatchObject({ status: 503, code: 'UNAVAILABLE' })
      expect(flakyPost.calls).toEqual(['POST'])
    })

    it('waits as long as a 503 says in Retry-After', async () => {
      const shuttingDown = countingFetch(1, { 'retry-after': '1' })
      const client = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, fetch: shuttingDown })
      const started = Date.now()
      await client.listChannels()
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      expect(shuttingDown.calls).toEqual(['GET', 'GET'])
    })

    it('refuses a success answer that is not JSON instead of returning garbage', async () => {
      const htmlProxy: FetchLike = async () => new Response('<html>welcome</html>', { status: 200 })
      const client = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, fetch: htmlProxy })
      await expect(client.listChannels()).rejects.toMatchObject({ status: 200, code: 'INVALID_RESPONSE' })
    })
  })
}

// The 429 cases need a server started with a low per-key rate limit (3 requests per second).
for (const target of targets.filter((t) => t.rateLimit)) {
  describe(`SDK rate-limit handling on the ${target.name}`, () => {
    let server: SdkServer

    beforeAll(async () => {
      server = await target.start({ rateLimitMax: 3, rateLimitWindowMs: 1000 })
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('waits out a 429 as Retry-After says, for reads and writes alike, without duplicates', async () => {
      const statuses: number[] = []
      const recording: FetchLike = async (input, init) => {
        const res = await fetch(input, init)
        statuses.push(res.status)
        return res
      }
      const client = new Handoff({
        apiUrl: server.url,
        apiKey: server.adminKey,
        fetch: recording,
        retry: { maxRetries: 3 },
      })
      await new Promise((r) => setTimeout(r, 1100)) // a fresh rate-limit window
      const started = Date.now()
      await client.createChannel('limited')
      for (let i = 0; i < 5; i++) await client.post('limited', `m${i}`)
      expect(statuses).toContain(429) // the server did refuse some, and they went through anyway
      expect(Date.now() - started).toBeGreaterThanOrEqual(900) // at least one window was waited out
      await new Promise((r) => setTimeout(r, 1100))
      const page = await client.read('limited', { after_id: '0' })
      expect(page.messages.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
    })

    it('surfaces RateLimitError with retryAfter when retries are off', async () => {
      const client = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, retry: false })
      await new Promise((r) => setTimeout(r, 1100))
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => client.listChannels()))
      const limited = results.find((r) => r.status === 'rejected')
      expect(limited).toBeDefined()
      const err = (limited as PromiseRejectedResult).reason
      expect(err).toBeInstanceOf(RateLimitError)
      expect(err).toMatchObject({ status: 429, code: 'RATE_LIMITED' })
      expect((err as RateLimitError).retryAfter).toBeGreaterThan(0)
    })

    it('aborts a call with its signal even while it waits to retry, and a client-wide signal too', async () => {
      const client = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, retry: { maxRetries: 5 } })
      await new Promise((r) => setTimeout(r, 1100))
      await Promise.allSettled([1, 2, 3].map(() => client.listChannels())) // use up the window
      const controller = new AbortController()
      const call = client.listChannels({ signal: controller.signal })
      setTimeout(() => controller.abort(), 50)
      const started = Date.now()
      const err = await call.catch((e: unknown) => e)
      expect((err as Error).name).toBe('AbortError')
      expect(Date.now() - started).toBeLessThan(500)

      const stopAll = new AbortController()
      const scoped = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, signal: stopAll.signal })
      stopAll.abort()
      await expect(scoped.listChannels()).rejects.toMatchObject({ name: 'AbortError' })
    })
  })
}
