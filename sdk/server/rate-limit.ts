// Per-key rate limiting (@fastify/rate-limit): RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS
// per API key, per client IP for requests without a valid key (including 404s). Counters live in
// Redis when the relay hands over a client, so every relay instance shares them.
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../api/errors.js'
import { type ApiOptions, DEFAULTS } from './options.js'

const limited =
  (code: 'RATE_LIMITED' | 'SIGNUP_RATE_LIMITED', message: string) => (_req: unknown, ctx: { ttl: number }) =>
    new ApiError(code, message, { retryAfter: Math.max(1, Math.ceil(ctx.ttl / 1000)) })

export function rateLimitKey(request: FastifyRequest): string {
  // runs after the auth hook, so an authenticated request is counted against its key
  return request.principal ? `key:${request.principal.teamId}:${request.principal.keyId}` : `ip:${request.ip}`
}

/** Registers the limiter on `app` (before any route); false when rate limiting is off. */
export async function installRateLimit(app: FastifyInstance, options: ApiOptions): Promise<boolean> {
  const settings = options.rateLimit
  if (settings === false) return false
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: settings?.max ?? DEFAULTS.rateLimitMax,
    timeWindow: settings?.timeWindow ?? DEFAULTS.rateLimitWindowMs,
    ...(settings?.redis ? { redis: settings.redis } : {}),
    nameSpace: settings?.nameSpace ?? 'handoff-rl:',
    keyGenerator: rateLimitKey,
    // a Redis hiccup must not turn every request into a 500: let it through
    skipOnError: true,
    errorResponseBuilder: limited('RATE_LIMITED', 'Too many requests. Slow down.'),
  })
  return true
}

/** Route config for POST /api/signup: per client IP, the seed's 10 an hour. */
export function signupRateLimit(options: ApiOptions): Record<string, unknown> {
  return {
    max: options.signupRateLimit?.max ?? DEFAULTS.signupMax,
    timeWindow: options.signupRateLimit?.timeWindow ?? DEFAULTS.signupWindowMs,
    keyGenerator: (request: FastifyRequest) => `signup:${request.ip}`,
    errorResponseBuilder: limited('SIGNUP_RATE_LIMITED', 'Too many signups from this IP. Try again later.'),
  }
}
