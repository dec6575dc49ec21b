// Node-sync routes: how nodes exchange envelopes through the relay (docs/relay.md). The relay
// stores each envelope once by its id and serves them by cursor; it never decrypts (it has no
// key) and cannot alter one without breaking the author's signature, which nodes verify.
//
//   POST /api/sync/envelopes            {envelopes: [base64, ...]}         "*": write
//   GET  /api/sync/:space/envelopes     ?after=<cursor>&limit=1..500         "*": read
//   GET  /api/sync/:space/stream        SSE `envelope` events, id = cursor   "*": read
//
// `:space` is the hex of the 32-byte Handoff team id in the envelope headers: one relay team
// (one API key's team) may carry the logs of several Handoff teams, each its own cursor space.
// They are registered with the API's route helper: the same pipeline (auth, rate limit,
// permission), request validation by the zod schemas of ./schemas.ts, and a place in GET /api
// and the OpenAPI document.
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../sdk/api/errors.js'
import { SYNC_MAX_ENVELOPE_BYTES, SYNC_MAX_PUSH } from '../../sdk/api/sync.js'
import type { StreamEvent } from '../../sdk/api/types.js'
import type { ApiHelpers } from '../../sdk/server/options.js'
import { hasPermission } from '../../sdk/server/permissions.js'
import type { RedisStore } from '../store/redis-store.js'
import { decodeForRelay } from '../store/sync.js'
import {
  CURSOR_MESSAGE,
  isCursor,
  syncPage,
  syncPullQuery,
  syncPushBody,
  syncPushResponse,
  syncSpaceParams,
  syncStreamQuery,
} from './schemas.js'

export interface SyncRouteOptions {
  heartbeatMs?: number
}

/** The stream's resume point: Last-Event-ID (header) wins over `?after=`; null: only new ones. */
function resumeCursor(header: string | string[] | undefined, after: string | undefined): string | null {
  if (typeof header === 'string' && header !== '') {
    if (!isCursor(header)) throw new ApiError('INVALID_CURSOR', CURSOR_MESSAGE)
    return header
  }
  return after ?? null
}

/** The sync routes, for the shared API's `extraRoutes` (same auth, rate limit and error format). */
export function syncRoutes(store: RedisStore, options: SyncRouteOptions = {}) {
  return (_app: FastifyInstance, helpers: ApiHelpers): void => {
    helpers.route(
      {
        method: 'POST',
        url: '/api/sync/envelopes',
        summary: 'Node sync: push signed envelopes (stored once by id)',
        access: { kind: 'team', level: 'write' },
        body: syncPushBody,
        response: syncPushResponse,
        // base64 of the largest push, with room to spare (the schema bounds each envelope)
        bodyLimit: SYNC_MAX_PUSH * SYNC_MAX_ENVELOPE_BYTES * 2,
      },
      async ({ principal, body }) => {
        // decode all first: a bad envelope refuses the whole push before anything is stored
        const envelopes = body.envelopes.map((raw) => decodeForRelay(Buffer.from(raw, 'base64')))
        const results = []
        for (const envelope of envelopes) results.push(await store.pushEnvelope(principal.teamId, envelope))
        return { results: results.map((r) => ({ id: r.id, cursor: r.cursor, duplicate: r.cursor === null })) }
      },
    )

    helpers.route(
      {
        method: 'GET',
        url: '/api/sync/:space/envelopes',
        summary: "Node sync: a page of a Handoff team's envelopes after a cursor",
        access: { kind: 'team', level: 'read' },
        params: syncSpaceParams,
        query: syncPullQuery,
        response: syncPage,
      },
      async ({ principal, params, query }) => {
        const page = await store.pullEnvelopes(
          principal.teamId,
          params.space,
          query.after ?? null,
          query.limit ?? 100,
        )
        return { envelopes: page.envelopes, next_cursor: page.next_cursor, has_more: page.has_more }
      },
    )

    helpers.route(
      {
        method: 'GET',
        url: '/api/sync/:space/stream',
        summary:
          'Node sync: Server-Sent Events, `envelope` events of a Handoff team (Last-Event-ID or after)',
        access: { kind: 'team', level: 'read' },
        params: syncSpaceParams,
        query: syncStreamQuery,
        // a HEAD must not open a subscription
        head: false,
      },
      async ({ principal, params, query, request, reply }) => {
        const after = resumeCursor(request.headers['last-event-id'], query.after)
        await helpers.serveSse({
          request,
          reply,
          principal,
          // a key's sync streams have a limit of their own, as many as its channel streams (a node
          // bridge holds one; several nodes may bridge with one key), counted on every instance
          slot: `${principal.keyId}/sync`,
          writer: {
            heartbeatMs: options.heartbeatMs ?? 15_000,
            maxBufferedBytes: 8 * 1024 * 1024,
            padding: false,
          },
          mayRead: (permissions) => hasPermission(permissions, '*', 'read'),
          forbidden: 'Insufficient permissions',
          subscribe: (send, lost) =>
            store.followEnvelopes(
              principal.teamId,
              params.space,
              after,
              (item) => send({ type: 'envelope', id: item.cursor, data: item } as unknown as StreamEvent),
              lost,
            ),
        })
      },
    )
  }
}
