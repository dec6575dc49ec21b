// Pairing-box routes (docs/relay.md, "Pairing boxes"): a joining node that cannot reach its
// inviter peer to peer talks to it through these, as a sealed two-way pipe.
//
//   PUT    /api/pair/:box         {expires_at}             "*": write -> {box, expires_at}
//   DELETE /api/pair/:box                                  "*": write -> {closed: true}
//   POST   /api/pair/:box/:side    {frames: [base64, ...]}  no key    -> {appended}
//   GET    /api/pair/:box/:side    ?after=<cursor>           no key    -> {frames, next_after}
//
// The inviting node opens its invite's box with its team's key; the joiner, who has no key yet,
// then reads and writes it without one. A box nobody opened is NOT_FOUND and nothing is stored
// for it, so the unauthenticated routes are not free storage. The box address (64 hex) is a
// keyed hash of the invite's 256-bit secret, so it cannot be guessed, and the frames are sealed
// with keys from that secret, so reading or writing a box teaches and achieves nothing without
// the code. Requests are counted per client IP by the API's rate limit; boxes are size-bounded,
// counted against the opening team, and expire with the invite.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../sdk/api/errors.js'
import {
  PAIR_BOX_MAX_TTL_MS,
  PAIR_BOX_RE,
  PAIR_FRAME_MAX_BYTES,
  PAIR_FRAMES_MAX,
  type PairSide,
} from '../../sdk/api/pair-box.js'
import type { Principal } from '../../sdk/api/store.js'
import type { ApiHelpers } from '../../sdk/server/options.js'
import { isStreamId } from '../store/ids.js'
import { PairBoxes } from '../store/pairing.js'
import type { RedisStore } from '../store/redis-store.js'

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/
const FRAME_MAX_CHARS = Math.ceil(PAIR_FRAME_MAX_BYTES / 3) * 4

function addressOf(params: unknown): string {
  const { box } = params as { box: string }
  if (!PAIR_BOX_RE.test(box)) throw new ApiError('NOT_FOUND', 'No such pairing box')
  return box
}

function boxOf(params: unknown): { box: string; side: PairSide } {
  const box = addressOf(params)
  const { side } = params as { side: string }
  if (side !== 'i' && side !== 'j') throw new ApiError('NOT_FOUND', 'No such pairing box side')
  return { box, side }
}

/** The box's expiry: the invite's, capped at PAIR_BOX_MAX_TTL_MS from now. */
function expiryOf(body: unknown): number {
  const raw = (body as { expires_at?: unknown } | undefined)?.expires_at
  if (raw === undefined) throw new ApiError('MISSING_FIELDS', 'expires_at (an ISO 8601 time) is required')
  const at = typeof raw === 'string' ? Date.parse(raw) : Number.NaN
  if (!Number.isFinite(at) || at <= Date.now() + 1000)
    throw new ApiError('INVALID_FIELD', 'expires_at must be an ISO 8601 time in the future')
  return Math.min(at, Date.now() + PAIR_BOX_MAX_TTL_MS)
}

export function pairingRoutes(store: RedisStore) {
  const boxes = new PairBoxes(store.redis)
  return (app: FastifyInstance, helpers: ApiHelpers): void => {
    // the API's own pipeline (authenticate, rate limit, team-level permission), as the sync routes
    const guard = helpers.guard({ kind: 'team', level: 'write' })
    const teamOf = (request: FastifyRequest) => (request.principal as Principal).teamId

    app.put('/api/pair/:box', { onRequest: guard }, async (request) => {
      const box = addressOf(request.params)
      const expiresAt = expiryOf(request.body)
      await boxes.open(teamOf(request), box, expiresAt)
      return { box, expires_at: new Date(expiresAt).toISOString() }
    })

    app.delete('/api/pair/:box', { onRequest: guard }, async (request) => {
      await boxes.close(teamOf(request), addressOf(request.params))
      return { closed: true }
    })

    app.post(
      '/api/pair/:box/:side',
      { bodyLimit: PAIR_FRAMES_MAX * FRAME_MAX_CHARS + 4096 },
      async (request, reply) => {
        const { box, side } = boxOf(request.params)
        const frames = (request.body as { frames?: unknown } | undefined)?.frames
        if (!Array.isArray(frames) || frames.length === 0)
          throw new ApiError('MISSING_FIELDS', 'frames (a non-empty array of base64 strings) is required')
        if (frames.length > PAIR_FRAMES_MAX)
          throw new ApiError('FIELD_TOO_LARGE', `at most ${PAIR_FRAMES_MAX} frames per request`)
        for (const [i, f] of frames.entries()) {
          if (typeof f !== 'string' || f.length === 0 || !BASE64_RE.test(f))
            throw new ApiError('INVALID_FIELD', `frames[${i}] must be a base64 string`)
          if (f.length > FRAME_MAX_CHARS)
            throw new ApiError('FIELD_TOO_LARGE', `a frame must be ${PAIR_FRAME_MAX_BYTES} bytes or less`)
        }
        const appended = await boxes.append(box, side, frames as string[], request.ip)
        reply.code(201)
        return { appended }
      },
    )

    app.get('/api/pair/:box/:side', async (request) => {
      const { box, side } = boxOf(request.params)
      const after = (request.query as { after?: unknown }).after ?? '0'
      if (typeof after !== 'string' || (after !== '0' && !isStreamId(after)))
        throw new ApiError('INVALID_CURSOR', "Invalid after format. Expected a cursor like '1234567890-0'")
      return boxes.read(box, side, after)
    })
  }
}
