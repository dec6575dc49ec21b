// Pairing boxes (relay/routes/pairing.ts): no API key, frames in order by cursor, per side, with
// a TTL; malformed addresses, frames and cursors are refused with the API's error format.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, type RunningRelay, startRelay, stopAllRelays } from './relays.js'

const b64 = (n: number) => randomBytes(n).toString('base64')

describe('pairing boxes', () => {
  let relay: RunningRelay
  beforeAll(async () => {
    relay = await startRelay()
  })
  afterAll(() => stopAllRelays())

  it('stores frames per side without a key and pages them by cursor', async () => {
    const box = randomBytes(32).toString('hex')
    const frames = [b64(10), b64(20), b64(30)]
    const posted = await call(relay.url, 'POST', `/api/pair/${box}/j`, undefined, { frames })
    expect(posted).toEqual({ status: 201, body: { appended: 3 } })
    expect((await call(relay.url, 'GET', `/api/pair/${box}/i`)).body).toEqual({ frames: [], next_after: '0' })
    const all = await call(relay.url, 'GET', `/api/pair/${box}/j`)
    expect(all.status).toBe(200)
    expect(all.body.frames.map((f: { data: string }) => f.data)).toEqual(frames)
    const first = all.body.frames[0].cursor as string
    const rest = await call(relay.url, 'GET', `/api/pair/${box}/j?after=${first}`)
    expect(rest.body.frames.map((f: { data: string }) => f.data)).toEqual(frames.slice(1))
    expect(rest.body.next_after).toBe(all.body.next_after)
    const ttl = await relay.store.redis.pttl(`hf:pair:{${box}}:j`)
    expect(ttl).toBeGreaterThan(9 * 60 * 1000)
    expect(ttl).toBeLessThanOrEqual(10 * 60 * 1000)
    // the writing client's byte budget is charged (its IP: 127.0.0.1 here)
    const charged = Number(await relay.store.redis.get('hf:pair:client:127.0.0.1'))
    expect(charged).toBeGreaterThanOrEqual(frames.join('').length)
    expect(await relay.store.redis.pttl('hf:pair:client:127.0.0.1')).toBeGreaterThan(0)
  })

  it('refuses malformed boxes, sides, frames and cursors', async () => {
    const box = randomBytes(32).toString('hex')
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/api/pair/abc/j', { frames: [b64(4)] }, 404, 'NOT_FOUND'],
      ['POST', `/api/pair/${box}/x`, { frames: [b64(4)] }, 404, 'NOT_FOUND'],
      ['POST', `/api/pair/${box}/j`, { frames: [] }, 400, 'MISSING_FIELDS'],
      ['POST', `/api/pair/${box}/j`, { frames: ['not base64!'] }, 400, 'INVALID_FIELD'],
      ['POST', `/api/pair/${box}/j`, { frames: [b64(64 * 1024 + 3)] }, 400, 'FIELD_TOO_LARGE'],
      [
        'POST',
        `/api/pair/${box}/j`,
        { frames: Array.from({ length: 65 }, () => b64(4)) },
        400,
        'FIELD_TOO_LARGE',
      ],
      ['GET', `/api/pair/${box}/j?after=yesterday`, undefined, 400, 'INVALID_CURSOR'],
    ]
    for (const [method, path, body, status, code] of cases) {
      const res = await call(relay.url, method, path, undefined, body)
      expect([path, res.status, res.body?.code]).toEqual([path, status, code])
    }
  })
})
