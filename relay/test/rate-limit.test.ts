// The relay's rate limits with the key's counter read in its lookup's round trip (countInStore):
// the same answers as the limiter plugin, counted once per request, shared by every instance on
// the Redis; requests without a valid key (and 404s) still count per client IP.
import { Redis } from 'ioredis'
import { afterEach, expect, it } from 'vitest'
import { buildRelay, type Relay } from '../app.js'
import { redisUrl, sleep } from './helpers.js'

const relays: Relay[] = []
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.app.close()))
})

async function relay(max: number, windowMs: number): Promise<Relay> {
  const r = await buildRelay({ redisUrl: redisUrl(), rateLimitMax: max, rateLimitWindowMs: windowMs })
  relays.push(r)
  return r
}

const unique = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`

function get(r: Relay, url: string, key?: string) {
  return r.app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} })
}

it('limits each key to max requests per window, counted once, with RATE_LIMITED and Retry-After', async () => {
  const r = await relay(3, 60_000)
  const { api_key } = await r.store.signup(unique('rl'), 'a')
  const principal = (await r.store.authenticate(api_key))!
  for (let i = 0; i < 3; i++) {
    const ok =
      i === 1
        ? await r.app.inject({
            method: 'POST',
            url: '/api/channels/general/messages',
            headers: { authorization: `Bearer ${api_key}` },
            payload: { content: 'hi' },
          })
        : await get(r, '/api/channels', api_key)
    expect(ok.statusCode).toBeLessThan(300)
    expect(ok.headers['x-ratelimit-limit']).toBe('3')
    expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i))
    expect(Number(ok.headers['x-ratelimit-reset'])).toBeGreaterThan(0)
  }
  const limited = await get(r, '/api/channels', api_key)
  expect(limited.statusCode).toBe(429)
  expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', error: 'Too many requests. Slow down.' })
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  expect(limited.headers['x-ratelimit-remaining']).toBe('0')

  // the limiter plugin did not count these requests a second time under its own key
  const redis = new Redis(redisUrl())
  try {
    expect(await redis.exists(`hf:rl:key:${principal.teamId}:${principal.keyId}`)).toBe(0)
    expect(await redis.get(`hf:{${principal.teamId}}:rl:${principal.keyId}`)).toBe('4')
  } finally {
    await redis.quit()
  }

  // another key of the same team is counted on its own; probes are never limited
  const other = await r.store.createKey(principal.teamId, 'other', undefined)
  expect((await get(r, '/api/channels', other.api_key)).statusCode).toBe(200)
  expect((await get(r, '/healthz')).statusCode).toBe(200)
})

it('starts a new window once the last one expired', async () => {
  const r = await relay(1, 300)
  const { api_key } = await r.store.signup(unique('rl'), 'a')
  expect((await get(r, '/api/channels', api_key)).statusCode).toBe(200)
  expect((await get(r, '/api/channels', api_key)).statusCode).toBe(429)
  await sleep(450)
  expect((await get(r, '/api/channels', api_key)).statusCode).toBe(200)
})

it('counts requests without a valid key, 404s included, per client IP', async () => {
  const r = await relay(2, 60_000)
  // an address of its own, so no other test's unauthenticated requests share the counter
  const remoteAddress = `198.51.100.${1 + Math.floor(Math.random() * 250)}`
  const from = (url: string, key?: string) =>
    r.app.inject({
      method: 'GET',
      url,
      remoteAddress,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    })
  const redis = new Redis(redisUrl())
  try {
    await redis.del(`hf:rl:ip:${remoteAddress}`)
    expect((await from('/api/channels', 'hf_not-a-key')).statusCode).toBe(401)
    expect((await from('/api/nope')).statusCode).toBe(404)
    const limited = await from('/api/channels')
    expect(limited.statusCode).toBe(429)
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  } finally {
    await redis.del(`hf:rl:ip:${remoteAddress}`)
    await redis.quit()
  }
})

it('shares a key counter between relays on the same Redis', async () => {
  const a = await relay(2, 60_000)
  const b = await relay(2, 60_000)
  const { api_key } = await a.store.signup(unique('rl'), 'a')
  expect((await get(a, '/api/channels', api_key)).statusCode).toBe(200)
  expect((await get(b, '/api/channels', api_key)).statusCode).toBe(200)
  expect((await get(a, '/api/channels', api_key)).statusCode).toBe(429)
  expect((await get(b, '/api/channels', api_key)).statusCode).toBe(429)
})
