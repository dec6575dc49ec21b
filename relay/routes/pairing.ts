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
// counted against the opening team, and expire with the invite. The routes go through the API's
// route helper (its pipeline, validation by ./schemas.ts, GET /api and the OpenAPI document).
import type { FastifyInstance } from 'fastify'
import type { ApiHelpers } from '../../sdk/server/options.js'
import { PairBoxes } from '../store/pairing.js'
import type { RedisStore } from '../store/redis-store.js'
import {
  PAIR_APPEND_MAX_BODY,
  pairAppendBody,
  pairAppended,
  pairBoxParams,
  pairClosed,
  pairOpenBody,
  pairOpened,
  pairPage,
  pairReadQuery,
  pairSideParams,
} from './schemas.js'

export function pairingRoutes(store: RedisStore) {
  const boxes = new PairBoxes(store.redis)
  return (_app: FastifyInstance, helpers: ApiHelpers): void => {
    // the opening team's key: the API's team-level pipeline (authenticate, rate limit, permission)
    const write = { kind: 'team', level: 'write' } as const
    // the joiner has no key yet: counted per client IP by the API's rate limit
    const open = { kind: 'public' } as const

    helpers.route(
      {
        method: 'PUT',
        url: '/api/pair/:box',
        summary: 'Pairing: open (or renew) a box for an invite, until its expiry (at most 24 h)',
        access: write,
        params: pairBoxParams,
        body: pairOpenBody,
        response: pairOpened,
      },
      async ({ principal, params, body }) => {
        await boxes.open(principal.teamId, params.box, body.expires_at)
        return { box: params.box, expires_at: new Date(body.expires_at).toISOString() }
      },
    )

    helpers.route(
      {
        method: 'DELETE',
        url: '/api/pair/:box',
        summary: 'Pairing: close a box this team opened, with its frames',
        access: write,
        params: pairBoxParams,
        response: pairClosed,
      },
      async ({ principal, params }) => {
        await boxes.close(principal.teamId, params.box)
        return { closed: true }
      },
    )

    helpers.route(
      {
        method: 'POST',
        url: '/api/pair/:box/:side',
        summary: 'Pairing: append sealed frames to one side of an open box (no key)',
        access: open,
        params: pairSideParams,
        body: pairAppendBody,
        response: pairAppended,
        status: 201,
        bodyLimit: PAIR_APPEND_MAX_BODY,
      },
      async ({ params, body, request }) => ({
        appended: await boxes.append(params.box, params.side, body.frames, request.ip),
      }),
    )

    helpers.route(
      {
        method: 'GET',
        url: '/api/pair/:box/:side',
        summary: 'Pairing: the frames of one side of an open box after a cursor (no key)',
        access: open,
        params: pairSideParams,
        query: pairReadQuery,
        response: pairPage,
      },
      async ({ params, query }) => boxes.read(params.box, params.side, query.after ?? '0'),
    )
  }
}
