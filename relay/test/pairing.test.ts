// Pairing boxes (relay/routes/pairing.ts): a team opens a box with its key; then frames go in
// and out without a key, in order by cursor, per side, expiring with the box. A box nobody opened
// is NOT_FOUND and stores nothing; malformed addresses, frames and cursors are refused with the
// API's error format.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAIR_TEAM_MAX_BYTES } from '../../sdk/api/pair-box.js'
import { PairTeams } from '../store/pair-teams.js'
import { PairBoxes } from '../store/pairing.js'
import { call, type RunningRelay, signup, startRelay, stopAllRelays } from './relays.js'

const b64 = (n: number) => randomBytes(n).toString('base64')
const newBox = () => randomBytes(32).toString('hex')
const inMs = (ms: number) => ({ expires_at: new Date(Date.now() + ms).toISOString() })

describe('pairing boxes', () => {
  let relay: RunningRelay
  let key: string
  beforeAll(async () => {
    relay = await startRelay()
    key = await signup(relay.url, 'pairing')
  })
  afterAll(() => stopAllRelays())

  it('an opened box stores frames per side without a key and pages them by cursor', async () => {
    const box = newBox()
    const opened = await call(relay.url, 'PUT', `/api/pair/${box}`, key, inMs(60 * 60 * 1000))
    expect(opened.status).toBe(200)
    expect(opened.body.box).toBe(box)
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
    // the frames live as long as the box: the invite's expiry (an hour here)
    const ttl = await relay.store.redis.pttl(`hf:pair:{${box}}:j`)
    expect(ttl).toBeGreaterThan(59 * 60 * 1000)
    expect(ttl).toBeLessThanOrEqual(60 * 60 * 1000)
    // the writing client's byte budget is charged (its IP: 127.0.0.1 here) ...
    const charged = Number(await relay.store.redis.get('hf:pair:client:127.0.0.1'))
    expect(charged).toBeGreaterThanOrEqual(frames.join('').length)
    expect(await relay.store.redis.pttl('hf:pair:client:127.0.0.1')).toBeGreaterThan(0)
    // ... and so is the opening team's
    const team = await relay.store.redis.get(`hf:pair:{${box}}:owner`)
    expect(Number(await relay.store.redis.hget(`hf:pair:team:{${team}}:bytes`, box))).toBe(
      frames.join('').length,
    )
  })

  it('a box nobody opened is NOT_FOUND for reads and writes, and nothing is stored for it', async () => {
    const box = newBox()
    const before = await relay.store.redis.get('hf:pair:client:127.0.0.1')
    const posted = await call(relay.url, 'POST', `/api/pair/${box}/j`, undefined, { frames: [b64(100)] })
    expect([posted.status, posted.body?.code]).toEqual([404, 'NOT_FOUND'])
    const read = await call(relay.url, 'GET', `/api/pair/${box}/i`)
    expect([read.status, read.body?.code]).toEqual([404, 'NOT_FOUND'])
    expect(await relay.store.redis.keys(`hf:pair:{${box}}*`)).toEqual([])
    // not even the client's byte counter moved
    expect(await relay.store.redis.get('hf:pair:client:127.0.0.1')).toBe(before)
  })

  it('opening and closing need a key, and a box opened by one team is not another team', async () => {
    const box = newBox()
    const other = await signup(relay.url, 'pairing-other')
    const anonymous = await call(relay.url, 'PUT', `/api/pair/${box}`, undefined, inMs(60_000))
    expect([anonymous.status, anonymous.body?.code]).toEqual([401, 'MISSING_API_KEY'])
    expect((await call(relay.url, 'PUT', `/api/pair/${box}`, key, inMs(60_000))).status).toBe(200)
    const stolen = await call(relay.url, 'PUT', `/api/pair/${box}`, other, inMs(60_000))
    expect([stolen.status, stolen.body?.code]).toEqual([403, 'FORBIDDEN'])
    const closed = await call(relay.url, 'DELETE', `/api/pair/${box}`, other)
    expect([closed.status, closed.body?.code]).toEqual([404, 'NOT_FOUND'])
    // still open, still the first team's
    expect(
      (await call(relay.url, 'POST', `/api/pair/${box}/i`, undefined, { frames: [b64(8)] })).status,
    ).toBe(201)
    // the owner renews it and closes it: its frames go with it
    expect((await call(relay.url, 'PUT', `/api/pair/${box}`, key, inMs(120_000))).status).toBe(200)
    expect((await call(relay.url, 'DELETE', `/api/pair/${box}`, key)).body).toEqual({ closed: true })
    expect(await relay.store.redis.keys(`hf:pair:{${box}}*`)).toEqual([])
    expect((await call(relay.url, 'GET', `/api/pair/${box}/i`)).status).toBe(404)
    // closed, it may be opened by anyone holding the address again
    expect((await call(relay.url, 'PUT', `/api/pair/${box}`, other, inMs(60_000))).status).toBe(200)
  })

  it('a box expires with its invite, at most a day after it was opened', async () => {
    const box = newBox()
    expect((await call(relay.url, 'PUT', `/api/pair/${box}`, key, inMs(2_500))).status).toBe(200)
    expect(
      (await call(relay.url, 'POST', `/api/pair/${box}/j`, undefined, { frames: [b64(8)] })).status,
    ).toBe(201)
    await new Promise((r) => setTimeout(r, 3_000))
    expect((await call(relay.url, 'GET', `/api/pair/${box}/j`)).status).toBe(404)
    expect(
      (await call(relay.url, 'POST', `/api/pair/${box}/j`, undefined, { frames: [b64(8)] })).status,
    ).toBe(404)
    expect(await relay.store.redis.keys(`hf:pair:{${box}}*`)).toEqual([])
    const far = newBox()
    const week = await call(relay.url, 'PUT', `/api/pair/${far}`, key, inMs(7 * 24 * 3600 * 1000))
    expect(Date.parse(week.body.expires_at)).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000)
    expect(await relay.store.redis.pttl(`hf:pair:{${far}}:owner`)).toBeLessThanOrEqual(24 * 3600 * 1000)
    const past = await call(relay.url, 'PUT', `/api/pair/${far}`, key, { expires_at: '2020-01-01T00:00:00Z' })
    expect([past.status, past.body?.code]).toEqual([400, 'INVALID_FIELD'])
  })

  it('a team holds a bounded number of open boxes; closing one frees its place', async () => {
    const team = await signup(relay.url, 'pairing-many')
    const boxes = Array.from({ length: 64 }, newBox)
    for (const box of boxes)
      expect((await call(relay.url, 'PUT', `/api/pair/${box}`, team, inMs(60_000))).status).toBe(200)
    const extra = newBox()
    const refused = await call(relay.url, 'PUT', `/api/pair/${extra}`, team, inMs(60_000))
    expect([refused.status, refused.body?.code]).toEqual([429, 'PAIR_LIMIT_REACHED'])
    // renewing one already open is not a new box
    expect((await call(relay.url, 'PUT', `/api/pair/${boxes[0]}`, team, inMs(90_000))).status).toBe(200)
    expect((await call(relay.url, 'DELETE', `/api/pair/${boxes[1]}`, team)).status).toBe(200)
    expect((await call(relay.url, 'PUT', `/api/pair/${extra}`, team, inMs(60_000))).status).toBe(200)
  })

  it("what a team's boxes hold is counted against the team across its boxes, until closed", async () => {
    // the counting itself (256 MiB cannot be posted from one IP, whose own cap is lower)
    const teams = new PairTeams(relay.store.redis)
    const team = `t-${randomBytes(8).toString('hex')}`
    const [a, b] = [newBox(), newBox()]
    await teams.open(team, a, Date.now() + 60_000)
    await teams.open(team, b, Date.now() + 60_000)
    expect(await teams.charge(team, a, PAIR_TEAM_MAX_BYTES - 10)).toBe(true)
    expect(await teams.charge(team, b, 11)).toBe(false)
    expect(await teams.charge(team, b, 10)).toBe(true)
    expect(await teams.charge(team, b, 1)).toBe(false)
    await teams.release(team, a)
    expect(await teams.charge(team, b, 1_000)).toBe(true)
    // a box the team did not open is not charged to it
    await expect(teams.charge(team, newBox(), 1)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await relay.store.redis.del(`hf:pair:{${a}}:owner`, `hf:pair:{${b}}:owner`)
  })

  it("runs the boxes' scripts by EVALSHA through the store's script runner, not EVAL", async () => {
    // the commands PairBoxes sends, through the relay's real client: EVAL would send each
    // script's source on every call
    const sent: string[] = []
    const redis = relay.store.redis
    const recording = new Proxy(redis, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          sent.push(String(prop))
          return value.apply(target, args)
        }
      },
    })
    const boxes = new PairBoxes(recording)
    const team = `t-${randomBytes(8).toString('hex')}`
    const client = `test-${team}`
    const cycle = async () => {
      const box = newBox()
      await boxes.open(team, box, Date.now() + 60_000)
      expect(await boxes.append(box, 'j', [b64(8)], client)).toBe(1)
      expect((await boxes.read(box, 'j', '0')).frames).toHaveLength(1)
      await boxes.close(team, box)
    }
    // a Redis that does not know a script yet is sent its source once (NOSCRIPT, then EVAL)
    await cycle()
    sent.length = 0
    await cycle()
    // open: the team's count and the owner; append: the client's and the team's budgets and
    // the frames; close: the team's count
    expect(sent.filter((c) => c === 'evalsha')).toHaveLength(6)
    expect(sent).not.toContain('eval')
    await redis.del(`hf:pair:client:${client}`)
  })

  it('refuses malformed boxes, sides, frames, cursors and expiries', async () => {
    const box = newBox()
    expect((await call(relay.url, 'PUT', `/api/pair/${box}`, key, inMs(60_000))).status).toBe(200)
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/api/pair/abc/j', { frames: [b64(4)] }, 404, 'NOT_FOUND'],
      ['PUT', '/api/pair/abc', inMs(60_000), 404, 'NOT_FOUND'],
      ['PUT', `/api/pair/${box}`, {}, 400, 'MISSING_FIELDS'],
      ['PUT', `/api/pair/${box}`, { expires_at: 'soon' }, 400, 'INVALID_FIELD'],
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
      const res = await call(relay.url, method, path, method === 'PUT' ? key : undefined, body)
      expect([path, res.status, res.body?.code]).toEqual([path, status, code])
    }
  })
})
