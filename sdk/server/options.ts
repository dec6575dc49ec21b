// What a server (relay or node) tells the shared API layer. Every field is optional; the defaults
// are the seed's (100 requests per second per key, 5 streams per key, 15 s heartbeats).
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Redis } from 'ioredis'
import type { HandoffStore, Principal } from '../api/store.js'
import type { PermissionLevel } from '../api/types.js'
import type { Access, RouteCtx, RouteDef, Schema } from './route.js'
import type { ServeSseOptions } from './serve-sse.js'
import type { StreamSlots } from './streams.js'

export interface RateLimitOptions {
  /** requests per window per API key (unauthenticated requests count per client IP); RATE_LIMIT_MAX */
  max?: number
  /** window length in ms; RATE_LIMIT_WINDOW_MS */
  timeWindow?: number
  /** share the counters across relay instances (ioredis client; the caller closes it) */
  redis?: Redis
  /** Redis key prefix of the counters */
  nameSpace?: string
  /**
   * Count authenticated requests with the store's `authenticateCounted` (the key lookup and its
   * counter in one round trip) instead of a separate limiter call; the store's counters must be
   * shared like `redis`'s. Requests without a valid key are still counted per IP by the limiter.
   */
  countInStore?: boolean
}

export interface SseOptions {
  /** ms between `:keepalive` comments (SPEC: at most 15 s) */
  heartbeatMs?: number
  /** concurrent streams per API key before 429 SSE_LIMIT_REACHED (the seed's 5) */
  maxPerKey?: number
  /** count `maxPerKey` across server instances (the relay's Redis leases); default: per process */
  slots?: StreamSlots
  /** bytes a slow client may leave unread before it is dropped */
  maxBufferedBytes?: number
  /** send the seed's 8 KiB comment first so reverse proxies flush at once */
  padding?: boolean
}

/** Helpers handed to `extraRoutes`, so a server's own routes authenticate the same way. */
export interface ApiHelpers {
  store: HandoffStore
  /** resolve the request's key (Bearer, X-Api-Key or ?token=); throws MISSING_API_KEY / INVALID_API_KEY */
  authenticate(request: FastifyRequest): Promise<Principal>
  /** throws FORBIDDEN (and records the denial in the audit log) unless the key has `level` on `channel` */
  requirePermission(
    request: FastifyRequest,
    principal: Principal,
    channel: string,
    level: PermissionLevel,
  ): Promise<void>
  /**
   * An onRequest hook running the API's own pipeline: authenticate (401, failures counted per IP)
   * -> rate limit -> channel name -> permission (403, audited). Use it on routes of your own.
   */
  guard(access: Access): onRequestHookHandler
  /**
   * Serve a Server-Sent Events stream as the API's channel stream does (a slot of the key's
   * stream limit, end on shutdown and on revocation or lost access, subscription errors as a last
   * `error` event); throws 429 SSE_LIMIT_REACHED before anything is sent when no slot is left.
   */
  serveSse(options: ServeSseOptions): Promise<void>
  /** Register a route exactly as the API's own (validation, error codes, listed in GET /api and OpenAPI). */
  route<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
    def: RouteDef<P, Q, B>,
    handler: (ctx: RouteCtx<P, Q, B>) => Promise<unknown>,
  ): void
}

export interface ApiOptions {
  rateLimit?: RateLimitOptions | false
  /** POST /api/signup per client IP (the seed's 10 per hour) */
  signupRateLimit?: { max: number; timeWindow: number }
  /**
   * refuse plaintext message content and status values with 400 ENCRYPTION_REQUIRED (they must be
   * `hf1:`/`e2ee:` strings), for every team; the relay's per-team setting is the store's
   */
  encryptionRequired?: boolean
  sse?: SseOptions
  /** register server-specific routes (the relay's node-sync routes) inside the same error handling */
  extraRoutes?: (app: FastifyInstance, helpers: ApiHelpers) => void | Promise<void>
  /** reported by GET /api */
  version?: string
}

export interface ApiServerOptions extends ApiOptions {
  /** true, false, pino options, or an existing pino/Fastify logger */
  logger?: boolean | FastifyBaseLogger | Record<string, unknown>
  /** max request body in bytes (default 256 KiB: a 32 KiB content can grow 6x when JSON-escaped) */
  bodyLimit?: number
  /** proxies allowed to set X-Forwarded-For (default: loopback and private networks, as the seed) */
  trustProxy?: boolean | string | string[]
}

export const DEFAULTS = {
  rateLimitMax: 100,
  rateLimitWindowMs: 1000,
  signupMax: 10,
  signupWindowMs: 3_600_000,
  heartbeatMs: 15_000,
  maxStreamsPerKey: 5,
  maxBufferedBytes: 1024 * 1024,
  bodyLimit: 256 * 1024,
  trustProxy: ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '::1/128', 'fc00::/7'],
} as const
