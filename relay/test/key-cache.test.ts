// The relay remembers who a key is (key-auth.ts) and a message POST checks the key and counts the
// request inside its write: revocations and permission changes made through another instance
// still apply to the very next request, every request is counted once, and the answers keep
// their order (401 -> 429 -> 400/403).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningRelay, signup, startRelay, stopAllRelays } from './relays.js'

let a: RunningRelay
let b: RunningRelay

beforeAll(async () => {
  a = await startRelay(0, { rateLimitMax: 6, rateLimitWindowMs: 60_000 })
  b = await startRelay(0, { rateLimitMax: 6, rateLimitWindowMs: 60_000 })
})
afterAll(stopAllRelays)

function post(relay: RunningRelay, key: string, payload: unknown, channel = 'cache') {
  return relay.app.inject({
    method: 'POST',
    url: `/api/channels/${channel}/messages`,
    headers: { authorization: `Bearer ${key}` },
    payload: payload as object,
  })
}

function call(
  relay: RunningRelay,
  method: 'GET' | 'PUT' | 'DELETE' | 'POST',
  url: string,
  key: string,
  payload?: object,
) {
  return relay.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}` },
    ...(payload ? { payload } : {}),
  })
}

async function newKey(admin: string, permissions?: Record<string, string>) {
  const res = await call(a, 'POST', '/api/keys', admin, {
    sender_name: 'w',
    ...(permissions ? { permissions } : {}),
  })
  expect(res.statusCode).toBe(201)
  return res.json() as { api_key: string; key_id: string }
}

describe('remembered keys', () => {
  it('a key revoked through one relay is refused by the other on its next POST', async () => {
    const admin = await signup(a.url, 'cache-revoke')
    const { api_key, key_id } = await newKey(admin)
    expect((await post(b, api_key, { content: 'one' })).statusCode).toBe(201)
    expect((await post(b, api_key, { content: 'two' })).statusCode).toBe(201)
    expect((await call(a, 'DELETE', `/api/keys/${key_id}`, admin)).statusCode).toBe(204)
    const refused = await post(b, api_key, { content: 'three' })
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'INVALID_API_KEY' })
    const read = await call(a, 'GET', '/api/channels/cache/messages', admin)
    expect(read.json().messages.map((m: { content: string }) => m.content)).toEqual(['one', 'two'])
  })

  it('a permission lowered through one relay applies on the other at once, and the denial is audited', async () => {
    const admin = await signup(a.url, 'cache-perms')
    const { api_key, key_id } = await newKey(admin)
    expect((await post(b, api_key, { content: 'ok' })).statusCode).toBe(201)
    const changed = await call(a, 'PUT', `/api/keys/${key_id}/permissions`, admin, {
      permissions: { cache: 'read' },
    })
    expect(changed.statusCode).toBe(200)
    const denied = await post(b, api_key, { content: 'not any more' })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ code: 'FORBIDDEN' })
    const audit = await call(a, 'GET', '/api/audit', admin)
    expect(audit.json().entries[0]).toMatchObject({ key_hash: key_id, result: 'denied', channel: 'cache' })
    // and raised again: writes work at once
    await call(a, 'PUT', `/api/keys/${key_id}/permissions`, admin, { permissions: { cache: 'write' } })
    expect((await post(b, api_key, { content: 'again' })).statusCode).toBe(201)
  })

  it('counts every POST once, refused ones included, and answers 429 past the limit', async () => {
    const key = await signup(a.url, 'cache-count')
    const first = await post(a, key, { content: 'warm' })
    expect(first.statusCode).toBe(201)
    expect(first.headers['x-ratelimit-remaining']).toBe('5')
    // remembered from here on: a counted write, a bad body, a missing parent, a bad channel name
    const ok = await post(a, key, { content: 'fast' })
    expect(ok.statusCode).toBe(201)
    expect(ok.headers['x-ratelimit-remaining']).toBe('4')
    const bad = await post(a, key, { content: 42 })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['x-ratelimit-remaining']).toBe('3')
    const orphan = await post(a, key, { content: 'reply', thread_id: '1-1' })
    expect(orphan.statusCode).toBe(404)
    expect(orphan.json()).toMatchObject({ code: 'THREAD_PARENT_NOT_FOUND' })
    expect(orphan.headers['x-ratelimit-remaining']).toBe('2')
    const badName = await post(a, key, { content: 'x' }, 'Bad..Name')
    expect(badName.statusCode).toBe(400)
    expect(badName.headers['x-ratelimit-remaining']).toBe('1')
    // the other relay shares the counter
    expect((await post(b, key, { content: 'last' })).statusCode).toBe(201)
    for (const relay of [a, b]) {
      const limited = await post(relay, key, { content: 'too many' })
      expect(limited.statusCode).toBe(429)
      expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' })
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      expect(limited.headers['x-ratelimit-remaining']).toBe('0')
      // over the limit even a bad body answers 429 first
      expect((await post(relay, key, { content: 42 })).statusCode).toBe(429)
    }
    const read = await call(b, 'GET', '/api/channels/cache/messages', key)
    expect(read.statusCode).toBe(429)
  })
})
