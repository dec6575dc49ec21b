// Node-sync routes: how nodes exchange envelopes through the relay (docs/relay.md). The relay
// stores each envelope once by its id and serves them by cursor; it never decrypts (it has no
// key) and cannot alter one without breaking the author's signature, which nodes verify.
//
//   POST /api/sync/envelopes            {envelopes: [base64, ...]}         "*": write
//   GET  /api/sync/:team/envelopes      ?after=<cursor>&limit=1..500         "*": read
//   GET  /api/sync/:team/stream         SSE `envelope` events, id = cursor   "*": read
//
// `:team` is the hex of the 32-byte Handoff team id in the envelope headers: one relay team
// (one API key's team) may carry the logs of several Handoff teams, each its own cursor space.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../sdk/api/errors.js'
import type { Principal, StreamSubscription } from '../../sdk/api/store.js'
import { SYNC_MAX_PULL, SYNC_MAX_PUSH } from '../../sdk/api/sync.js'
import type { StreamEvent } from '../../sdk/api/types.js'
import type { ApiHelpers } from '../../sdk/server/options.js'
import { hasPermission } from '../../sdk/server/permissions.js'
import { SseWriter } from '../../sdk/server/sse.js'
import { isStreamId } from '../store/ids.js'
import type { RedisStore } from '../store/redis-store.js'
import { checkSpace, decodeForRelay, MAX_ENVELOPE_BYTES } from '../store/sync.js'

const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/

export interface SyncRouteOptions {
  heartbeatMs?: number
}

function limitOf(raw: unknown): number {
  if (raw === undefined || raw === '') return 100
  const n = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(n >= 1 && n <= SYNC_MAX_PULL)) {
    throw new ApiError('INVALID_LIMIT', `limit must be an integer between 1 and ${SYNC_MAX_PULL}`)
  }
  return n
}

function cursorOf(raw: unknown): string | null {
  if (raw === undefined || raw === '') return null
  if (typeof raw !== 'string' || (raw !== '0' && !isStreamId(raw))) {
    throw new ApiError('INVALID_CURSOR', "Invalid after format. Expected a cursor like '1234567890-0'")
  }
  return raw
}

/** The sync routes, for the shared API's `extraRoutes` (same auth, rate limit and error format). */
export function syncRoutes(store: RedisStore, options: SyncRouteOptions = {}) {
  return (app: FastifyInstance, helpers: ApiHelpers): void => {
    const writers = new Set<SseWriter>()
    app.addHook('preClose', async () => {
      for (const w of [...writers]) w.end({ type: 'shutdown', data: { reason: 'server shutting down' } })
    })

    // the API's own pipeline: authenticate (failures counted per IP), the key's rate limit (in
    // the same counter as the API routes), then the team-level permission
    const guard = (level: 'read' | 'write') => helpers.guard({ kind: 'team', level })
    const principalOf = (request: FastifyRequest) => request.principal as Principal

    app.post(
      '/api/sync/envelopes',
      { onRequest: guard('write'), bodyLimit: SYNC_MAX_PUSH * MAX_ENVELOPE_BYTES * 2 },
      async (request, reply) => {
        const body = request.body as { envelopes?: unknown } | undefined
        const list = body?.envelopes
        if (!Array.isArray(list) || list.length === 0) {
          throw new ApiError('MISSING_FIELDS', 'envelopes (a non-empty array of base64 strings) is required')
        }
        if (list.length > SYNC_MAX_PUSH)
          throw new ApiError('FIELD_TOO_LARGE', `at most ${SYNC_MAX_PUSH} envelopes per push`)
        // decode all first: a bad envelope refuses the whole push before anything is stored
        const envelopes = list.map((raw, i) => {
          if (typeof raw !== 'string' || !BASE64_RE.test(raw)) {
            throw new ApiError('INVALID_FIELD', `envelopes[${i}] must be a base64 string`)
          }
          return decodeForRelay(Buffer.from(raw, 'base64'))
        })
        const teamId = principalOf(request).teamId
        const results = []
        for (const envelope of envelopes) results.push(await store.pushEnvelope(teamId, envelope))
        reply.code(200)
        return { results: results.map((r) => ({ id: r.id, cursor: r.cursor, duplicate: r.cursor === null })) }
      },
    )

    app.get('/api/sync/:team/envelopes', { onRequest: guard('read') }, async (request) => {
      const { team } = request.params as { team: string }
      const query = request.query as Record<string, unknown>
      const page = await store.pullEnvelopes(
        principalOf(request).teamId,
        checkSpace(team),
        cursorOf(query.after),
        limitOf(query.limit),
      )
      return {
        envelopes: page.envelopes,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
      }
    })

    app.get('/api/sync/:team/stream', { onRequest: guard('read') }, async (request, reply) => {
      const { team } = request.params as { team: string }
      const query = request.query as Record<string, unknown>
      const header = request.headers['last-event-id']
      const after = cursorOf(typeof header === 'string' && header !== '' ? header : query.after)
      const space = checkSpace(team)
      const principal = principalOf(request)

      reply.hijack()
      const writer = new SseWriter(reply.raw, {
        heartbeatMs: options.heartbeatMs ?? 15_000,
        maxBufferedBytes: 8 * 1024 * 1024,
        padding: false,
      })
      writers.add(writer)
      writer.onClose(() => writers.delete(writer))
      const unwatch = store.watchKeys(principal.teamId, (change) => {
        if (change.keyId !== principal.keyId) return
        if (change.type === 'revoked') writer.fail(new ApiError('INVALID_API_KEY', 'API key revoked'))
        else if (!hasPermission(change.permissions, '*', 'read')) {
          writer.fail(new ApiError('FORBIDDEN', 'Insufficient permissions'))
        }
      })
      writer.onClose(unwatch)
      let subscription: StreamSubscription
      try {
        subscription = await store.followEnvelopes(
          principal.teamId,
          space,
          after,
          (item) => writer.send({ type: 'envelope', id: item.cursor, data: item } as unknown as StreamEvent),
          // Redis lost: a last error event, so the node resumes by cursor instead of waiting silently
          (err) =>
            writer.fail(
              err instanceof ApiError
                ? err
                : new ApiError('UNAVAILABLE', 'Storage is unavailable, retry shortly'),
            ),
        )
      } catch (err) {
        request.log.error({ err }, 'sync stream subscription failed')
        writer.fail(err instanceof ApiError ? err : new ApiError('INTERNAL_ERROR', 'Internal server error'))
        return
      }
      if (writer.isEnded) void subscription.close()
      else {
        writer.onClose(() => void subscription.close())
        writer.start()
      }
    })
  }
}
