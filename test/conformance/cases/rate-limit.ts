// Rate limiting, on a second server the target starts with a low per-key limit: the request over
// the limit is 429 RATE_LIMITED with Retry-After, per key, and probes are never limited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { Client, expectError, expectStatus } from '../http.js'
import type { ConformanceServer } from '../target.js'

const MAX = 5

export function rateLimitCases(f: Fixture): void {
  const start = f.target.startRateLimited?.bind(f.target)
  if (start === undefined) return
  describe('rate limit', () => {
    let server: ConformanceServer
    let admin: Client
    const keys: Client[] = []
    beforeAll(async () => {
      server = await start(MAX, 60_000)
      admin = new Client(server.url, server.adminKey)
      for (const sender of ['rl-a', 'rl-b']) {
        const created = expectStatus(await admin.post('/api/keys', { sender_name: sender }), 201)
        keys.push(admin.as(created.api_key))
      }
    }, 60_000)
    afterAll(async () => server?.stop())

    it(`the request after ${MAX} in a window is 429 RATE_LIMITED with Retry-After`, async () => {
      const key = keys[0]!
      for (let i = 0; i < MAX; i++) expectStatus(await key.get('/api/channels'), 200)
      expectError(await key.get('/api/channels'), 429, 'RATE_LIMITED')
    })

    it("one key's excess does not slow another key", async () => {
      expectStatus(await keys[1]!.get('/api/channels'), 200)
    })

    it('responses carry X-RateLimit-Limit and X-RateLimit-Remaining, as the seed', async () => {
      const res = await keys[1]!.get('/api/channels')
      expect(res.headers.get('x-ratelimit-limit')).toBe(String(MAX))
      expect(res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/)
    })

    it('/healthz and /readyz are never rate limited', async () => {
      for (let i = 0; i < MAX * 2; i++) {
        expectStatus(await admin.get('/healthz', { key: null }), 200)
        expectStatus(await admin.get('/readyz', { key: null }), 200)
      }
    })
  })
}
