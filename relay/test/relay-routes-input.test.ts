// Whatever a client sends to the sync and pairing routes, the answer is a 4xx in the API's error
// format ({"error": message, "code": CODE}) and comes at once: never a 500, never a hang. Bodies
// larger than the server's default (256 KiB) still go through up to each route's own limit.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAIR_FRAME_MAX_BYTES, PAIR_FRAMES_MAX } from '../../sdk/api/pair-box.js'
import { SYNC_MAX_ENVELOPE_BYTES } from '../../sdk/api/sync.js'
import { generateEpochKey, generateSigningKeyPair, OpType, sealEnvelope } from '../../sdk/protocol/index.js'
import { PAIR_APPEND_MAX_BODY } from '../routes/schemas.js'
import { call, type RunningRelay, signup, startRelay, stopAllRelays } from './relays.js'

interface Raw {
  method: string
  path: string
  key?: boolean
  /** sent as is; a non-string is JSON-encoded */
  body?: unknown
  headers?: Record<string, string>
}

describe('bad input to the sync and pairing routes', () => {
  let relay: RunningRelay
  let key: string
  const box = randomBytes(32).toString('hex')
  const space = randomBytes(32).toString('hex')

  async function send(r: Raw): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { ...r.headers }
    if (r.key) headers.authorization = `Bearer ${key}`
    let body: string | undefined
    if (r.body !== undefined) {
      body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
      headers['content-type'] ??= 'application/json'
    }
    const res = await fetch(`${relay.url}${r.path}`, {
      method: r.method,
      headers,
      body,
      signal: AbortSignal.timeout(5_000),
    })
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return { status: res.status, body: json }
  }

  beforeAll(async () => {
    relay = await startRelay()
    key = await signup(relay.url, 'route-input')
    const opened = await call(relay.url, 'PUT', `/api/pair/${box}`, key, {
      expires_at: new Date(Date.now() + 10 * 60_000).toISOString(),
    })
    expect(opened.status).toBe(200)
  })
  afterAll(() => stopAllRelays())

  it('answers every malformed request with its 4xx code', async () => {
    const frame = randomBytes(8).toString('base64')
    const cases: Array<[Raw, number, string]> = [
      // node sync: bodies
      [{ method: 'POST', path: '/api/sync/envelopes', key: true }, 400, 'INVALID_JSON'],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: '{"envelopes": [' },
        400,
        'INVALID_JSON',
      ],
      [{ method: 'POST', path: '/api/sync/envelopes', key: true, body: [] }, 400, 'INVALID_JSON'],
      [{ method: 'POST', path: '/api/sync/envelopes', key: true, body: 'null' }, 400, 'INVALID_JSON'],
      [{ method: 'POST', path: '/api/sync/envelopes', key: true, body: {} }, 400, 'MISSING_FIELDS'],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: null } },
        400,
        'MISSING_FIELDS',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: [] } },
        400,
        'MISSING_FIELDS',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: 'AAAA' } },
        400,
        'INVALID_JSON',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: [{}] } },
        400,
        'INVALID_JSON',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: [null] } },
        400,
        'INVALID_JSON',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: ['**'] } },
        400,
        'INVALID_FIELD',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: [''] } },
        400,
        'INVALID_FIELD',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', key: true, body: { envelopes: ['AAAA'] } },
        400,
        'INVALID_FIELD',
      ],
      [
        {
          method: 'POST',
          path: '/api/sync/envelopes',
          key: true,
          body: { envelopes: Array(101).fill('AAAA') },
        },
        400,
        'FIELD_TOO_LARGE',
      ],
      [
        {
          method: 'POST',
          path: '/api/sync/envelopes',
          key: true,
          body: { envelopes: [randomBytes(SYNC_MAX_ENVELOPE_BYTES + 1).toString('base64')] },
        },
        400,
        'FIELD_TOO_LARGE',
      ],
      [
        {
          method: 'POST',
          path: '/api/sync/envelopes',
          key: true,
          body: '<x/>',
          headers: { 'content-type': 'text/xml' },
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        { method: 'POST', path: '/api/sync/envelopes', body: { envelopes: ['AAAA'] } },
        401,
        'MISSING_API_KEY',
      ],
      // node sync: spaces, cursors, limits
      [{ method: 'GET', path: '/api/sync/nothex/envelopes', key: true }, 400, 'INVALID_FIELD'],
      [
        { method: 'GET', path: `/api/sync/${space.toUpperCase()}/envelopes`, key: true },
        400,
        'INVALID_FIELD',
      ],
      [{ method: 'GET', path: '/api/sync/%E0%A4%A/envelopes', key: true }, 400, 'BAD_REQUEST'],
      [{ method: 'GET', path: `/api/sync/${space}/envelopes?after=x`, key: true }, 400, 'INVALID_CURSOR'],
      [{ method: 'GET', path: `/api/sync/${space}/envelopes?after=1-2-3`, key: true }, 400, 'INVALID_CURSOR'],
      [
        { method: 'GET', path: `/api/sync/${space}/envelopes?after=99999999999999999999-0`, key: true },
        400,
        'INVALID_CURSOR',
      ],
      [
        { method: 'GET', path: `/api/sync/${space}/envelopes?after=1&after=2`, key: true },
        400,
        'INVALID_CURSOR',
      ],
      [{ method: 'GET', path: `/api/sync/${space}/envelopes?limit=0`, key: true }, 400, 'INVALID_LIMIT'],
      [{ method: 'GET', path: `/api/sync/${space}/envelopes?limit=501`, key: true }, 400, 'INVALID_LIMIT'],
      [{ method: 'GET', path: `/api/sync/${space}/envelopes?limit=1.5`, key: true }, 400, 'INVALID_LIMIT'],
      [
        { method: 'GET', path: `/api/sync/${space}/envelopes?limit=1&limit=2`, key: true },
        400,
        'INVALID_LIMIT',
      ],
      [{ method: 'GET', path: `/api/sync/${space}/envelopes` }, 401, 'MISSING_API_KEY'],
      [{ method: 'GET', path: `/api/sync/${space}/stream?after=later`, key: true }, 400, 'INVALID_CURSOR'],
      [
        { method: 'GET', path: `/api/sync/${space}/stream?after=1&after=2`, key: true },
        400,
        'INVALID_CURSOR',
      ],
      [
        {
          method: 'GET',
          path: `/api/sync/${space}/stream`,
          key: true,
          headers: { 'last-event-id': 'later' },
        },
        400,
        'INVALID_CURSOR',
      ],
      [{ method: 'GET', path: '/api/sync/abc/stream', key: true }, 400, 'INVALID_FIELD'],
      // pairing: addresses and sides
      [{ method: 'PUT', path: '/api/pair/abc', key: true, body: { expires_at: 'x' } }, 404, 'NOT_FOUND'],
      [{ method: 'DELETE', path: `/api/pair/${box.toUpperCase()}`, key: true }, 404, 'NOT_FOUND'],
      [{ method: 'GET', path: `/api/pair/${box}/ij` }, 404, 'NOT_FOUND'],
      [{ method: 'POST', path: `/api/pair/${box}x/j`, body: { frames: [frame] } }, 404, 'NOT_FOUND'],
      // pairing: bodies
      [{ method: 'PUT', path: `/api/pair/${box}`, key: true }, 400, 'INVALID_JSON'],
      [
        { method: 'PUT', path: `/api/pair/${box}`, key: true, body: { expires_at: null } },
        400,
        'MISSING_FIELDS',
      ],
      [
        { method: 'PUT', path: `/api/pair/${box}`, key: true, body: { expires_at: 1e15 } },
        400,
        'INVALID_JSON',
      ],
      [
        { method: 'PUT', path: `/api/pair/${box}`, key: true, body: { expires_at: '' } },
        400,
        'INVALID_FIELD',
      ],
      [{ method: 'PUT', path: `/api/pair/${box}`, body: { expires_at: 'x' } }, 401, 'MISSING_API_KEY'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: 'not json' }, 400, 'INVALID_JSON'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: { frames: 'AAAA' } }, 400, 'INVALID_JSON'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: { frames: [null] } }, 400, 'INVALID_JSON'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: { frames: [1] } }, 400, 'INVALID_JSON'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: { frames: null } }, 400, 'MISSING_FIELDS'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: { frames: [''] } }, 400, 'INVALID_FIELD'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: { frames: ['=='] } }, 400, 'INVALID_FIELD'],
      [{ method: 'POST', path: `/api/pair/${box}/j`, body: { other: [frame] } }, 400, 'MISSING_FIELDS'],
      [
        { method: 'POST', path: `/api/pair/${box}/j`, body: 'x'.repeat(PAIR_APPEND_MAX_BODY + 1) },
        413,
        'BODY_TOO_LARGE',
      ],
      [{ method: 'GET', path: `/api/pair/${box}/j?after=-1` }, 400, 'INVALID_CURSOR'],
      [{ method: 'GET', path: `/api/pair/${box}/j?after=0-` }, 400, 'INVALID_CURSOR'],
      [{ method: 'GET', path: `/api/pair/${box}/j?after=0&after=1` }, 400, 'INVALID_CURSOR'],
    ]
    for (const [req, status, code] of cases) {
      const res = await send(req)
      const what = `${req.method} ${req.path.slice(0, 80)}`
      expect([what, res.status, res.body?.code]).toEqual([what, status, code])
      expect(typeof res.body?.error, what).toBe('string')
    }
  })

  it('takes bodies larger than the server default up to each route limit', async () => {
    // the sync push: five envelopes of ~60 KiB (~400 KiB of base64, over the default limit)
    const keys = { epochKey: generateEpochKey(), signer: generateSigningKeyPair() }
    const team = randomBytes(32)
    const envelopes = Array.from({ length: 5 }, () =>
      sealEnvelope(
        { type: OpType.Message, team, channel: 'big', epoch: 0, body: randomBytes(60 * 1024) },
        keys,
      ).bytes.toString('base64'),
    )
    const pushed = await call(relay.url, 'POST', '/api/sync/envelopes', key, { envelopes })
    expect(pushed.status).toBe(200)
    expect(pushed.body.results).toHaveLength(5)
    // a pairing POST of the most frames at the largest size (~5.6 MB)
    const frames = Array.from({ length: PAIR_FRAMES_MAX }, () =>
      randomBytes(PAIR_FRAME_MAX_BYTES).toString('base64'),
    )
    const posted = await call(relay.url, 'POST', `/api/pair/${box}/i`, undefined, { frames })
    expect(posted).toEqual({ status: 201, body: { appended: PAIR_FRAMES_MAX } })
    const page = await call(relay.url, 'GET', `/api/pair/${box}/i`)
    expect(page.body.frames.map((f: { data: string }) => f.data)).toEqual(frames)
  })
})
