// Rate limits: per key (in memory, and shared through Redis by two servers), per IP for requests
// without a key and for 404s, and the seed's per-IP signup limit.
import { Redis } from 'ioredis'
import { afterEach, expect, inject, it } from 'vitest'
import { buildApiServer } from '../app.js'
import { call, startApi, type TestApi, unique } from './helpers.js'

const apis: TestApi[] = []
const clients: Redis[] = []
afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.close()))
  await Promise.all(clients.splice(0).map((c) => c.quit()))
})

async function start(options: Parameters<typeof startApi>[0]) {
  const api = await startApi(options)
  apis.push(api)
  return api
}

it('limits each key to max requests per window, with RATE_LIMITED and Retry-After', async () => {
  const api = await start({ rateLimit: { max: 3, timeWindow: 60_000 } })
  for (let i = 0; i < 3; i++) {
    const ok = await call(api.app, { url: '/api/channels', key: api.key })
    expect(ok.status).toBe(200)
    expect(ok.headers['x-ratelimit-limit']).toBe('3')
    expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i))
  }
  const limited = await call(api.app, { url: '/api/channels', key: api.key })
  expect(limited).toMatchObject({
    status: 429,
    json: { code: 'RATE_LIMITED', error: 'Too many requests. Slow down.' },
  })
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)

  // another key of the same client is counted on its own
  const other = await api.store.createKey((await api.store.authenticate(api.key))!.teamId, 'other', undefined)
  expect((await call(api.app, { url: '/api/channels', key: other.api_key })).status).toBe(200)
  // probes are never limited
  expect((await call(api.app, { url: '/healthz' })).status).toBe(200)
})

it('limits requests without a key, 404s included, per client IP', async () => {
  const api = await start({ rateLimit: { max: 2, timeWindow: 60_000 } })
  expect((await call(api.app, { url: '/nope' })).status).toBe(404)
  expect((await call(api.app, { url: '/api/nope' })).status).toBe(404)
  expect(await call(api.app, { url: '/nope' })).toMatchObject({ status: 429, json: { code: 'RATE_LIMITED' } })
})

it('shares counters through Redis across servers', async () => {
  const nameSpace = `${unique('rl')}:`
  const redisA = new Redis(inject('redisUrl'))
  const redisB = new Redis(inject('redisUrl'))
  clients.push(redisA, redisB)
  const a = await start({ rateLimit: { max: 2, timeWindow: 60_000, redis: redisA, nameSpace } })
  const b = await buildApiServer(a.store, {
    logger: false,
    rateLimit: { max: 2, timeWindow: 60_000, redis: redisB, nameSpace },
  })
  try {
    expect((await call(a.app, { url: '/api/channels', key: a.key })).status).toBe(200)
    expect((await call(b, { url: '/api/channels', key: a.key })).status).toBe(200)
    expect(await call(a.app, { url: '/api/channels', key: a.key })).toMatchObject({ status: 429 })
    expect(await call(b, { url: '/api/channels', key: a.key })).toMatchObject({ status: 429 })
  } finally {
    await b.close()
  }
})

it('limits signups per IP with SIGNUP_RATE_LIMITED', async () => {
  const api = await start({
    rateLimit: { max: 100, timeWindow: 60_000 },
    signupRateLimit: { max: 1, timeWindow: 60_000 },
  })
  const body = () => ({ team_name: unique('t'), sender_name: 's' })
  expect((await call(api.app, { method: 'POST', url: '/api/signup', body: body() })).status).toBe(201)
  const limited = await call(api.app, { method: 'POST', url: '/api/signup', body: body() })
  expect(limited).toMatchObject({ status: 429, json: { code: 'SIGNUP_RATE_LIMITED' } })
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
})

it('limits failed key attempts per IP and denied requests per key', async () => {
  const api = await start({ rateLimit: { max: 2, timeWindow: 60_000 } })
  expect((await call(api.app, { url: '/api/channels', key: 'relay_guess1' })).status).toBe(401)
  expect((await call(api.app, { url: '/api/channels', key: 'relay_guess2' })).status).toBe(401)
  expect(await call(api.app, { url: '/api/channels', key: 'relay_guess3' })).toMatchObject({
    status: 429,
    json: { code: 'RATE_LIMITED' },
  })

  const teamId = (await api.store.authenticate(api.key))!.teamId
  const nobody = await api.store.createKey(teamId, 'nobody', {})
  expect((await call(api.app, { url: '/api/keys', key: nobody.api_key })).status).toBe(403)
  expect((await call(api.app, { url: '/api/keys', key: nobody.api_key })).status).toBe(403)
  expect((await call(api.app, { url: '/api/keys', key: nobody.api_key })).status).toBe(429)
  const audit = await api.store.readAudit(teamId, { after_id: null, limit: 100 })
  expect(audit.entries.filter((e) => e.sender_name === 'nobody')).toHaveLength(2)
})
