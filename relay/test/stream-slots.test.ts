// The per-key SSE limit holds across relay instances (leases in Redis), a closed stream frees its
// slot everywhere, and the slots of an instance that died come back once its leases lapse.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeAllStreams, openStream } from '../../test/conformance/sse.js'
import { RedisStreamSlots } from '../store/stream-slots.js'
import { closeStores, newStore, sleep } from './helpers.js'
import { type RunningRelay, signup, startRelay, stopAllRelays } from './relays.js'

let a: RunningRelay
let b: RunningRelay
const sse = { maxPerKey: 3, heartbeatMs: 1_000 }

beforeAll(async () => {
  a = await startRelay(0, { sse })
  b = await startRelay(0, { sse })
})
afterEach(() => closeAllStreams())
afterAll(async () => {
  await stopAllRelays()
  await closeStores()
})

const streamUrl = (relay: RunningRelay, key: string) => `${relay.url}/api/channels/lim/stream?token=${key}`

describe('SSE stream limit across relay instances', () => {
  it('counts a key’s streams on every instance and frees a slot when one closes', async () => {
    const key = await signup(a.url)
    const s1 = await openStream(streamUrl(a, key))
    const s2 = await openStream(streamUrl(b, key))
    const s3 = await openStream(streamUrl(a, key))
    expect([s1.status, s2.status, s3.status]).toEqual([200, 200, 200])
    // a fourth, on either instance, is refused although neither holds three itself
    for (const relay of [a, b]) {
      const refused = await openStream(streamUrl(relay, key))
      expect(refused.status).toBe(429)
      expect(refused.body).toMatchObject({ code: 'SSE_LIMIT_REACHED' })
    }
    // another key of the same team is not affected
    const other = await signup(b.url, 'other')
    expect((await openStream(streamUrl(b, other))).status).toBe(200)

    s2.close()
    let reopened = await openStream(streamUrl(a, key))
    for (let i = 0; reopened.status === 429 && i < 50; i++) {
      // the release reaches Redis just after the client's close: give it a moment
      await sleep(50)
      reopened = await openStream(streamUrl(a, key))
    }
    expect(reopened.status).toBe(200)
  })

  it('gives back the slots of an instance that stopped renewing, once its leases lapse', async () => {
    const store = await newStore()
    const dead = new RedisStreamSlots(store.redis, { ttlMs: 400, renewMs: 100 })
    const alive = new RedisStreamSlots(store.redis, { ttlMs: 400, renewMs: 100 })
    try {
      const team = `t${Date.now()}`
      expect(await dead.acquire(team, 'k1', 2)).not.toBeNull()
      const kept = await alive.acquire(team, 'k1', 2)
      expect(kept).not.toBeNull()
      expect(await alive.acquire(team, 'k1', 2)).toBeNull()
      // the first instance dies: no release, no renewal
      dead.close()
      let again = await alive.acquire(team, 'k1', 2)
      const start = Date.now()
      while (!again && Date.now() - start < 5_000) {
        await sleep(50)
        again = await alive.acquire(team, 'k1', 2)
      }
      expect(again).not.toBeNull()
      // the surviving instance renews its own: well past the TTL they still count
      await sleep(1_000)
      expect(await alive.acquire(team, 'k1', 2)).toBeNull()
      kept?.release()
      again?.release()
      let freed = await alive.acquire(team, 'k1', 2)
      for (let i = 0; !freed && i < 50; i++) {
        await sleep(20)
        freed = await alive.acquire(team, 'k1', 2)
      }
      expect(freed).not.toBeNull()
      freed?.release()
    } finally {
      dead.close()
      alive.close()
    }
  })
})
