// One helper registers every route, so they all run the same steps in the seed's order:
// authenticate (401) -> rate limit (429) -> channel name (400) -> permission (403, audited) ->
// body parse -> params/query/body validation (400) -> handler (one store call) -> reply.
// (The seed limited after the permission check; limiting first also bounds audited denials.)
// It also records each route for GET /api and the OpenAPI document.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { z } from 'zod'
import { ApiError } from '../api/errors.js'
import { CHANNEL_NAME_RE } from '../api/schemas.js'
import type { CountedPrincipal, Principal } from '../api/store.js'
import type { PermissionLevel } from '../api/types.js'
import { parsePart } from '../api/validation.js'
import { authenticate } from './auth.js'
import type { ApiContext } from './context.js'
import { authenticateCounted, enforce } from './key-limit.js'
import { auditStoreDenial, requirePermission } from './permissions.js'

export type Access =
  | { kind: 'public' }
  /** any valid key; the handler filters what it returns */
  | { kind: 'key' }
  /** team-level routes: the level on "*" */
  | { kind: 'team'; level: PermissionLevel }
  /** the level on the `:channel` path parameter */
  | { kind: 'channel'; level: PermissionLevel }

export type Schema = z.ZodType | undefined
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined

export interface RouteDef<P extends Schema, Q extends Schema, B extends Schema> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Fastify syntax: /api/channels/:channel */
  url: string
  summary: string
  access: Access
  params?: P
  query?: Q
  body?: B
  /** success status (default 200; 204 sends no body) */
  status?: number
  /** per-route @fastify/rate-limit config, or false to exempt (probes) */
  rateLimit?: false | Record<string, unknown>
  /** the success body, for the OpenAPI document */
  response?: z.ZodType
  /** false: no automatic HEAD route (the stream: a HEAD must not open a subscription) */
  head?: boolean
}

export interface RouteCtx<P extends Schema, Q extends Schema, B extends Schema> {
  principal: Principal
  params: Out<P>
  query: Out<Q>
  body: Out<B>
  request: FastifyRequest
  reply: FastifyReply
}

export type RouteDoc = Pick<
  RouteDef<Schema, Schema, Schema>,
  'method' | 'url' | 'summary' | 'access' | 'params' | 'query' | 'body' | 'status' | 'response'
>

// Query values are strings or arrays of them; an empty value counts as absent (as the seed).
function cleanQuery(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (k !== 'token' && v !== '') out[k] = v
  }
  return out
}

/** The onRequest hook of a route's access rule (none for public routes). */
export function accessHook(api: ApiContext, access: Access): onRequestHookHandler | undefined {
  if (access.kind === 'public') return undefined
  const { keyLimit } = api
  return async (request, reply) => {
    let principal: Principal
    if (keyLimit && !request.principal) {
      // the lookup and the key's counter in one round trip (the store counts valid keys only)
      let counted: CountedPrincipal
      try {
        counted = await authenticateCounted(keyLimit, request)
      } catch (err) {
        await api.limit?.(request, reply)
        throw err
      }
      principal = enforce(keyLimit, counted, reply)
    } else {
      try {
        principal = await authenticate(api.store, request)
      } catch (err) {
        // count failed attempts per client IP, so keys cannot be guessed at full speed
        await api.limit?.(request, reply)
        throw err
      }
      // Counted before the permission check: denials are audited, and a key must not be able to
      // flood the audit log faster than its rate limit.
      await api.limit?.(request, reply)
    }
    if (access.kind === 'team') {
      await requirePermission(api.store, request, principal, '*', access.level)
    } else if (access.kind === 'channel') {
      const channel = (request.params as { channel?: string }).channel ?? ''
      if (!CHANNEL_NAME_RE.test(channel)) {
        throw new ApiError(
          'INVALID_CHANNEL_NAME',
          'Channel name must be 1-64 characters: lower-case letters, digits, dots, hyphens and underscores, starting with a letter or digit',
        )
      }
      await requirePermission(api.store, request, principal, channel, access.level)
    }
  }
}

export function route<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  B extends Schema = undefined,
>(
  app: FastifyInstance,
  api: ApiContext,
  def: RouteDef<P, Q, B>,
  handler: (ctx: RouteCtx<P, Q, B>) => Promise<unknown>,
): void {
  api.routes.push(def)
  const onRequest = accessHook(api, def.access)
  app.route({
    method: def.method,
    url: def.url,
    ...(onRequest ? { onRequest } : {}),
    ...(def.rateLimit !== undefined
      ? { config: { rateLimit: def.rateLimit } }
      : // counted by accessHook through the store: the limiter plugin must not count them again
        api.keyLimit && onRequest
        ? { config: { rateLimit: false } }
        : {}),
    exposeHeadRoute: def.head ?? true,
    handler: async (request, reply) => {
      const params = (def.params ? parsePart(def.params, request.params, 'params') : undefined) as Out<P>
      const query = (
        def.query ? parsePart(def.query, cleanQuery(request.query), 'query') : undefined
      ) as Out<Q>
      const body = (def.body ? parsePart(def.body, request.body, 'body') : undefined) as Out<B>
      const principal = request.principal as Principal
      // the handler may override the status (POST /api/channels: 200 when the channel existed)
      reply.code(def.status ?? 200)
      let result: unknown
      try {
        result = await handler({ principal, params, query, body, request, reply })
      } catch (err) {
        const channel = (request.params as { channel?: string }).channel ?? '*'
        await auditStoreDenial(api.store, request, request.principal, channel, err)
        throw err
      }
      if (reply.sent) return reply
      if (reply.statusCode === 204) return reply.send()
      return reply.send(result)
    },
  })
}
