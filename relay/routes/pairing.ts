// Pairing-box routes (docs/relay.md, "Pairing boxes"): a joining node that cannot reach its
// inviter peer to peer talks to it through these, as a sealed two-way pipe.
//
//   POST /api/pair/:box/:side   {frames: [base64, ...]}  -> {appended}
//   GET  /api/pair/:box/:side   ?after=<cursor>           -> {frames: [{cursor, data}], next_after}
//
// No API key: the joiner has none yet. The box address (64 hex) is a keyed hash of the invite's
// 256-bit secret, so it cannot be guessed, and the frames are sealed with keys from that secret,
// so reading or writing a box teaches and achieves nothing without the code. Requests are
// counted per client IP by the API's rate limit; boxes are size-bounded and expire.
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../sdk/api/errors.js'
import { PAIR_BOX_RE, PAIR_FRAME_MAX_BYTES, PAIR_FRAMES_MAX, type PairSide } from '../../sdk/api/pair-box.js'
import { isStreamId } from '../store/ids.js'
import { PairBoxes } from '../store/pairing.js'
import type { RedisStore } from '../store/redis-store.js'

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/
const FRAME_MAX_CHARS = Math.ceil(PAIR_FRAME_MAX_BYTES / 3) * 4

function boxOf(params: unknown): { box: string; side: PairSide } {
  const { box, side } = params as { box: string; side: string }
  if (!PAIR_BOX_RE.test(box)) throw new ApiError('NOT_FOUND', 'No such pairing box')
  if (side !== 'i' && side !== 'j') throw new ApiError('NOT_FOUND', 'No such pairing box side')
  return { box, side }
}

export function pairingRoutes(store: RedisStore) {
  const boxes = new PairBoxes(store.redis)
  return (app: FastifyInstance): void => {
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
