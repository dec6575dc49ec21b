// sdk/client/relay-sync.ts against real relays: push, pull by cursor, follow live across
// another instance and across a restart of the relay it follows, each envelope once, in order.
import { afterAll, describe, expect, it } from 'vitest'
import { AuthenticationError } from '../../sdk/client/errors.js'
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
})
