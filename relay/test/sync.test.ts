// Node-sync routes: envelopes stored once by id whatever path they come by, pulled by cursor,
// streamed live across relay instances, refused when malformed or without permission.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  generateEpochKey,
  generateSigningKeyPair,
  OpType,
  randomBytes,
  sealEnvelope,
} from '../../sdk/protocol/index.js'
import { closeAllStreams, openStream, type SseStream } from '../../test/conformance/sse.js'
import { call, type RunningRelay, signup, startRelay, stopAllRelays, stopRelay } from './relays.js'

let a: RunningRelay
let b: RunningRelay
const teamBytes = randomBytes(32)
const space = teamBytes.toString('hex')
const keys = { epochKey: generateEpochKey(), signer: generateSigningKeyPair() }

function envelope(text: string, channel = 'general') {
  return sealEnvelope(
    { type: OpType.Message, team: teamBytes, channel, epoch: 0, body: Buffer.from(text), mention: 'bob' },
    keys,
  )
}
const b64 = (bytes: Buffer) => bytes.toString('base64')

beforeAll(async () => {
  a = await startRelay()
  b = await startRelay()
})
afterEach(() => closeAllStreams())
afterAll(stopAllRelays)

describe('node sync', () => {
  it('stores each envelope once, whatever path it came by, and serves it by cursor', async () => {
    const key = await signup(a.url)
    const e1 = envelope('one')
    const e2 = envelope('two')
    const first = await call(a.url, 'POST', '/api/sync/envelopes', key, {
      envelopes: [b64(e1.bytes), b64(e2.bytes)],
    })
    expect(first.status).toBe(200)
    expect(first.body.results.map((r: { duplicate: boolean }) => r.duplicate)).toEqual([false, false])
    expect(first.body.results[0].id).toBe(e1.id.toString('hex'))
    // the same envelope again, through the other instance: recognised, not stored twice
    const again = await call(b.url, 'POST', '/api/sync/envelopes', key, { envelopes: [b64(e1.bytes)] })
    expect(again.body.results).toEqual([{ id: e1.id.toString('hex'), cursor: null, duplicate: true }])

    const page1 = await call(b.url, 'GET', `/api/sync/${space}/envelopes?limit=1`, key)
    expect(page1.status).toBe(200)
    expect(page1.body.has_more).toBe(true)
    expect(page1.body.envelopes).toHaveLength(1)
    const item = page1.body.envelopes[0]
    expect(Buffer.from(item.data, 'base64').equals(e1.bytes)).toBe(true)
    expect(item.header).toMatchObject({ team: space, channel: 'general', type: 'Message', mention: 'bob' })
    const page2 = await call(
      b.url,
      'GET',
      `/api/sync/${space}/envelopes?after=${page1.body.next_cursor}`,
      key,
    )
    expect(page2.body.envelopes.map((e: { id: string }) => e.id)).toEqual([e2.id.toString('hex')])
    expect(page2.body.has_more).toBe(false)
  })

  it('streams envelopes pushed through another instance, resuming after a cursor', async () => {
    const key = await signup(a.url)
    const own = randomBytes(32)
    const sp = own.toString('hex')
    const seal = (t: string) =>
      sealEnvelope({ type: OpType.Message, team: own, channel: 'c', epoch: 0, body: Buffer.from(t) }, keys)
    const early = seal('early')
    const pushed = await call(a.url, 'POST', '/api/sync/envelopes', key, { envelopes: [b64(early.bytes)] })
    const stream = await openStream(`${b.url}/api/sync/${sp}/stream?token=${key}&after=0`)
    expect(stream.status).toBe(200)
    await stream.waitFor((e) => e.event === 'envelope')
    const late = seal('late')
    await call(a.url, 'POST', '/api/sync/envelopes', key, { envelopes: [b64(late.bytes), b64(early.bytes)] })
    await stream.waitForCount('envelope', 2)
    const got = stream.of('envelope')
    expect(got.map((e) => e.json.id)).toEqual([early.id.toString('hex'), late.id.toString('hex')])
    expect(got[0]?.id).toBe(pushed.body.results[0].cursor)
    // resume after the first: only the second
    const resumed = await openStream(`${a.url}/api/sync/${sp}/stream?token=${key}`, {
      headers: { 'last-event-id': got[0]!.id! },
    })
    await resumed.waitForCount('envelope', 1)
    expect(resumed.of('envelope').map((e) => e.json.id)).toEqual([late.id.toString('hex')])
  })

  it("counts a key's sync streams on every instance, apart from its channel streams", async () => {
    const sse = { maxPerKey: 2, heartbeatMs: 1_000 }
    const [c, d] = [await startRelay(0, { sse }), await startRelay(0, { sse })] as [
      RunningRelay,
      RunningRelay,
    ]
    const key = await signup(c.url, 'sync-slots')
    const sp = randomBytes(32).toString('hex')
    // every stream this test opens, closed in the finally whatever fails
    const opened: SseStream[] = []
    const track = async (stream: Promise<SseStream>) => {
      const s = await stream
      opened.push(s)
      return s
    }
    const open = (relay: RunningRelay) => track(openStream(`${relay.url}/api/sync/${sp}/stream?token=${key}`))
    try {
      const held = [await open(c), await open(d)]
      expect(held.map((s) => s.status)).toEqual([200, 200])
      const refused = await open(c)
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBeTruthy()
      expect(refused.body).toMatchObject({ code: 'SSE_LIMIT_REACHED' })
      // the channel streams of the same key have their own slots
      const channel = await track(openStream(`${d.url}/api/channels/general/stream?token=${key}`))
      expect(channel.status).toBe(200)
      // a closed sync stream gives its slot back
      held[0]?.close()
      await expect.poll(async () => (await open(d)).status, { timeout: 10_000 }).toBe(200)
    } finally {
      for (const s of opened) s.close()
      await stopRelay(c)
      await stopRelay(d)
    }
  })

  it('refuses malformed envelopes, bad cursors and keys without team-wide access', async () => {
    const key = await signup(a.url)
    const bad = await call(a.url, 'POST', '/api/sync/envelopes', key, {
      envelopes: [b64(Buffer.from('junk'))],
    })
    expect(bad.status).toBe(400)
    const tampered = Buffer.from(envelope('x').bytes)
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] ?? 0) ^ 1
    // a flipped byte still decodes (the relay cannot verify the content), but gets a new id
    const t = await call(a.url, 'POST', '/api/sync/envelopes', key, { envelopes: [b64(tampered)] })
    expect(t.status).toBe(200)
    expect((await call(a.url, 'POST', '/api/sync/envelopes', key, {})).body.code).toBe('MISSING_FIELDS')
    expect((await call(a.url, 'POST', '/api/sync/envelopes', key, { envelopes: [7] })).status).toBe(400)
    expect((await call(a.url, 'GET', `/api/sync/${space}/envelopes?after=x`, key)).body.code).toBe(
      'INVALID_CURSOR',
    )
    expect((await call(a.url, 'GET', `/api/sync/${space}/envelopes?limit=0`, key)).body.code).toBe(
      'INVALID_LIMIT',
    )
    expect((await call(a.url, 'GET', '/api/sync/nothex/envelopes', key)).status).toBe(400)
    expect((await call(a.url, 'GET', `/api/sync/${space}/envelopes`)).status).toBe(401)
    const reader = await call(a.url, 'POST', '/api/keys', key, {
      sender_name: 'r',
      permissions: { general: 'write' },
    })
    const push = await call(a.url, 'POST', '/api/sync/envelopes', reader.body.api_key, {
      envelopes: [b64(envelope('y').bytes)],
    })
    expect(push.status).toBe(403)
    // another relay team sees none of this team's envelopes
    const other = await signup(a.url, 'other')
    const theirs = await call(a.url, 'GET', `/api/sync/${space}/envelopes?after=0`, other)
    expect(theirs.body.envelopes).toEqual([])
  })
})
