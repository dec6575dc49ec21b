// One helper registers every route, so they all run the same steps in the seed's order:
// authenticate (401) -> rate limit (429) -> channel name (400) -> permission (403, audited) ->
// body parse -> params/query/body validation (400) -> handler (one store call) -> reply.
// (The seed limited after the permission check; limiting first also bounds audited denials.)
// A route whose store call can count the request itself (`countsInStore`: POST a message) skips
// the counting round trip when the store remembers the key: the permission is checked in process
// and the write checks the key's record and counts in the same storage call; whatever stops the
// request before that call (bad body, ...) is first counted the ordinary way, so the answers and
// their order stay the same.
// It also records each route for GET /api and the OpenAPI document.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { z } from 'zod'
import { ApiError } from '../api/errors.js'
import { CHANNEL_NAME_RE, channelParams } from '../api/schemas.js'
import type { CountedPrincipal, Principal, WriteCount } from '../api/store.js'
import type { PermissionLevel } from '../api/types.js'
import { parsePart } from '../api/validation.js'
import { authenticate, extractApiKey, MAX_KEY_LENGTH } from './auth.js'
import type { ApiContext } from './context.js'
import { authenticateCounted, enforce, limitHeaders } from './key-limit.js'
import { auditStoreDenial, hasPermission, requirePermission } from './permissions.js'

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
  /** the handler passes `ctx.count` (with the principal) to a store write that counts the request itself */
  countsInStore?: boolean
  /** max request body in bytes, when the route takes more than the server's default (413 BODY_TOO_LARGE) */
  bodyLimit?: number
}

export interface RouteCtx<P extends Schema, Q extends Schema, B extends Schema> {
  principal: Principal
  params: Out<P>
  query: Out<Q>
  body: Out<B>
  request: FastifyRequest
  reply: FastifyReply
  /** set when the store write must check the key and count the request (RouteDef.countsInStore) */
  count?: WriteCount
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

/** The access rule in process, for a remembered principal (no throw, no audit: the caller falls back). */
function allowed(request: FastifyRequest, principal: Principal, access: Access): boolean {
  if (access.kind === 'team') return hasPermission(principal.permissions, '*', access.level)
  if (access.kind !== 'channel') return access.kind === 'key'
  const channel = (request.params as { channel?: string }).channel ?? ''
  return CHANNEL_NAME_RE.test(channel) && hasPermission(principal.permissions, channel, access.level)
}

/** The onRequest hook of a route's access rule (none for public routes). */
export function accessHook(
  api: ApiContext,
  access: Access,
  countsInStore = false,
): onRequestHookHandler | undefined {
  const full = accessCheck(api, access)
  if (!full) return undefined
  const peek = countsInStore ? api.keyLimit?.peek : undefined
  if (!peek) return full
  // a callback hook: the remembered case (every request but a key's first) needs no promise
  return (request, reply, done) => {
    if (!request.principal) {
      const key = extractApiKey(request)
      const remembered = key && key.length <= MAX_KEY_LENGTH ? peek(key) : null
      if (remembered && allowed(request, remembered, access)) {
        request.principal = remembered
        // let through on a remembered principal: the write checks the key and counts the request
        // (a request flag, not a WeakSet of requests: no hash-table insert and delete per POST)
        request.countInWrite = true
        done()
        return
      }
    }
    full(request, reply, () => {}).then(() => done(), done)
  }
}

/** authenticate -> rate limit -> channel name -> permission, each with its own round trip as needed */
function accessCheck(
  api: ApiContext,
  access: Access,
): ((request: FastifyRequest, reply: FastifyReply, done: () => void) => Promise<void>) | undefined {
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
  const onRequest = accessHook(api, def.access, def.countsInStore === true)
  const full = accessCheck(api, def.access)
  // the channel name alone was already checked by the access rule (same rule as the schema)
  const channelOnly = (def.params as unknown) === channelParams && def.access.kind === 'channel'
  const run = async (request: FastifyRequest, reply: FastifyReply, count?: WriteCount) => {
    const params = (
      channelOnly
        ? { channel: (request.params as { channel: string }).channel }
        : def.params
          ? parsePart(def.params, request.params, 'params')
          : undefined
    ) as Out<P>
    const query = (def.query ? parsePart(def.query, cleanQuery(request.query), 'query') : undefined) as Out<Q>
    const body = (def.body ? parsePart(def.body, request.body, 'body') : undefined) as Out<B>
    const principal = request.principal as Principal
    // the handler may override the status (POST /api/channels: 200 when the channel existed)
    reply.code(def.status ?? 200)
    let result: unknown
    try {
      const ctx: RouteCtx<P, Q, B> = { principal, params, query, body, request, reply }
      if (count) ctx.count = count
      result = await handler(ctx)
    } catch (err) {
      const channel = (request.params as { channel?: string }).channel ?? '*'
      await auditStoreDenial(api.store, request, request.principal, channel, err)
      throw err
    }
    if (count?.hits !== undefined && api.keyLimit) {
      limitHeaders(api.keyLimit, count.hits, count.ttlMs ?? 0, reply)
    }
    if (reply.sent) return reply
    if (reply.statusCode === 204) return reply.send()
    return reply.send(result)
  }
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
    ...(def.bodyLimit !== undefined ? { bodyLimit: def.bodyLimit } : {}),
    handler: async (request, reply) => {
      if (!request.countInWrite || !api.keyLimit || !full) return run(request, reply)
      request.countInWrite = false
      const count: WriteCount = { windowMs: api.keyLimit.windowMs, max: api.keyLimit.max }
      try {
        return await run(request, reply, count)
      } catch (err) {
        if (count.hits !== undefined) {
          // counted by the write (RATE_LIMITED, or refused after counting)
          limitHeaders(api.keyLimit, count.hits, count.ttlMs ?? 0, reply)
          throw err
        }
        // Not counted: refused before the write (bad body, ...) or the key changed since it was
        // remembered. Go the ordinary way: authenticate and count (401/429 win), check access.
        request.principal = null
        await full(request, reply, () => {})
        if (count.stale) return run(request, reply)
        throw err
      }
    },
  })
}
