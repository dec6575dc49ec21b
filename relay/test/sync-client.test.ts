// sdk/client/relay-sync.ts against real relays: push, pull by cursor, follow live across
// another instance and across a restart of the relay it follows, each envelope once, in order.
import { afterAll, describe, expect, it } from 'vitest'
import { AuthenticationError, RateLimitError } from '../../sdk/client/errors.js'
import { type PulledEnvelope, RelaySync } from '../../sdk/client/relay-sync.js'
import {
  generateEpochKey,
  generateSigningKeyPair,
  OpType,
  randomBytes,
  sealEnvelope,
} from '../../sdk/protocol/index.js'
import { waitFor } from './helpers.js'
import { call, signup, startRelay, stopAllRelays, stopRelay } from './relays.js'

const keys = { epochKey: generateEpochKey(), signer: generateSigningKeyPair() }
const team = randomBytes(32)
const space = team.toString('hex')
const seal = (text: string) =>
  sealEnvelope({ type: OpType.Message, team, channel: 'general', epoch: 0, body: Buffer.from(text) }, keys)

afterAll(stopAllRelays)

describe('RelaySync', () => {
  it('pushes, pulls by cursor and follows across instances and a restart', async () => {
    const a = await startRelay()
    const b = await startRelay()
    const key = await signup(a.url)
    const pusher = new RelaySync({ url: a.url, key })
    const first = Array.from({ length: 150 }, (_, i) => seal(`e${i}`))
    const results = await pusher.push(first.map((e) => e.bytes))
    expect(results).toHaveLength(150)
    expect(results.every((r) => !r.duplicate)).toBe(true)
    expect((await pusher.push([first[0]!.bytes]))[0]?.duplicate).toBe(true)

    const puller = new RelaySync({ url: b.url, key })
    const pulled: PulledEnvelope[] = []
    let after: string | null = null
    for (;;) {
      const page = await puller.pull(space, after, 60)
      pulled.push(...page.envelopes)
      after = page.next_cursor
      if (!page.has_more) break
    }
    expect(pulled.map((e) => e.id)).toEqual(first.map((e) => e.id.toString('hex')))
    expect(pulled[3]?.data.equals(first[3]!.bytes)).toBe(true)

    // follow b from the start; restart b midway; keep pushing through a
    const follower = new RelaySync({ url: b.url, key })
    const seen: string[] = []
    const controller = new AbortController()
    const following = follower.follow(space, '0', (e) => void seen.push(e.id), {
      signal: controller.signal,
      retry: { minDelayMs: 50, maxDelayMs: 200 },
    })
    await waitFor(() => seen.length === 150, 10_000, 'backlog')
    const port = b.port
    await stopRelay(b)
    const more = Array.from({ length: 20 }, (_, i) => seal(`late${i}`))
    await pusher.push(more.slice(0, 10).map((e) => e.bytes))
    await startRelay(port)
    await pusher.push(more.slice(10).map((e) => e.bytes))
    await waitFor(() => seen.length >= 170, 15_000, 'live envelopes after restart')
    controller.abort()
    await following
    expect(seen).toEqual([...first, ...more].map((e) => e.id.toString('hex')))
  })

  it('gives up on a revoked key', async () => {
    const a = await startRelay()
    const admin = await signup(a.url)
    const made = await call(a.url, 'POST', '/api/keys', admin, { sender_name: 'node' })
    const client = new RelaySync({ url: a.url, key: made.body.api_key })
    const following = client.follow(space, '0', () => {}, { retry: { minDelayMs: 50, maxDelayMs: 100 } })
    await new Promise((r) => setTimeout(r, 300))
    await call(a.url, 'DELETE', `/api/keys/${made.body.key_id}`, admin)
    await expect(following).rejects.toBeInstanceOf(AuthenticationError)
    await expect(client.pull(space)).rejects.toBeInstanceOf(AuthenticationError)
  })

  it("waits out a 429's Retry-After, then connects once a stream slot is free", async () => {
    const a = await startRelay(0, { sse: { maxPerKey: 1, heartbeatMs: 1000 } })
    const key = await signup(a.url)
    const first = new AbortController()
    const second = new AbortController()
    const seen: string[] = []
    const errors: Error[] = []
    let refusedAt = 0
    const holder = new RelaySync({ url: a.url, key }).follow(space, '0', () => {}, { signal: first.signal })
    let waiting: Promise<void> | undefined
    try {
      // let the holder connect and take the key's one sync-stream slot
      await new Promise((r) => setTimeout(r, 300))
      waiting = new RelaySync({ url: a.url, key }).follow(space, '0', (e) => void seen.push(e.id), {
        signal: second.signal,
        retry: { minDelayMs: 50, maxDelayMs: 100 },
        onError: (err) => {
          errors.push(err)
          refusedAt ||= Date.now()
        },
      })
      await waitFor(() => errors.length > 0, 5_000, 'the 429')
      expect(errors[0]).toBeInstanceOf(RateLimitError)
      expect((errors[0] as RateLimitError).retryAfter).toBe(5)
      // free the slot: without Retry-After the next try would come within 100 ms and connect
      first.abort()
      await holder
      const sealed = seal('after the wait')
      await new RelaySync({ url: a.url, key }).push([sealed.bytes])
      await waitFor(() => seen.length === 1, 10_000, 'the envelope after the wait')
      expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(4_900)
      expect(errors).toHaveLength(1)
      expect(seen).toEqual([sealed.id.toString('hex')])
    } finally {
      first.abort()
      second.abort()
      await holder
      await waiting
      await stopRelay(a)
    }
  }, 20_000)
})
