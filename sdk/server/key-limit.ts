// Rate limiting counted by the store (RateLimitOptions.countInStore): the key lookup and the key's
// window counter share one storage round trip instead of two in a row. Same answers as the
// limiter plugin: x-ratelimit-* headers on every counted request, 429 RATE_LIMITED with
// Retry-After over the limit; a missing or unknown key throws before anything is counted, so the
// caller counts it per client IP as before.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../api/errors.js'
import type { CountedPrincipal, HandoffStore, Principal } from '../api/store.js'
import { resolveKey } from './auth.js'

export interface KeyLimit {
  max: number
  windowMs: number
  count: NonNullable<HandoffStore['authenticateCounted']>
  /** the store's remembered principals, for writes that count themselves (WriteCount) */
  peek?: NonNullable<HandoffStore['peekPrincipal']>
}

/** The store-counted limit of these options, or undefined when the limiter plugin counts keys. */
export function keyLimit(
  store: HandoffStore,
  settings: { max?: number; timeWindow?: number; countInStore?: boolean } | false | undefined,
  defaults: { max: number; windowMs: number },
): KeyLimit | undefined {
  if (settings === false || !settings?.countInStore || !store.authenticateCounted) return undefined
  return {
    max: settings.max ?? defaults.max,
    windowMs: settings.timeWindow ?? defaults.windowMs,
    count: store.authenticateCounted.bind(store),
    ...(store.peekPrincipal ? { peek: store.peekPrincipal.bind(store) } : {}),
  }
}

/** Authenticate and count in one go; throws MISSING_API_KEY / INVALID_API_KEY uncounted. */
export async function authenticateCounted(
  limit: KeyLimit,
  request: FastifyRequest,
): Promise<CountedPrincipal> {
  const counted = await resolveKey(request, (key) => limit.count(key, limit.windowMs))
  request.principal = counted.principal
  return counted
}

/** The limiter plugin's x-ratelimit-* headers for a counted request. */
export function limitHeaders(limit: KeyLimit, hits: number, ttlMs: number, reply: FastifyReply): number {
  const resetS = Math.max(0, Math.ceil(ttlMs / 1000))
  reply.header('x-ratelimit-limit', limit.max)
  reply.header('x-ratelimit-remaining', Math.max(0, limit.max - hits))
  reply.header('x-ratelimit-reset', resetS)
  return resetS
}

/** The limiter plugin's headers; throws 429 RATE_LIMITED past the limit. */
export function enforce(limit: KeyLimit, counted: CountedPrincipal, reply: FastifyReply): Principal {
  const resetS = limitHeaders(limit, counted.hits, counted.ttlMs, reply)
  if (counted.hits > limit.max) {
    throw new ApiError('RATE_LIMITED', 'Too many requests. Slow down.', { retryAfter: Math.max(1, resetS) })
  }
  return counted.principal
}
