// The one place HTTP error answers become typed errors, and the retry timing it feeds.
import { describe, expect, it } from 'vitest'
import { backoffDelay, resolveRetry } from '../client/backoff.js'
import { errorFromResponse, parseRetryAfter } from '../client/errors.js'
import {
  AuthenticationError,
  HandoffError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '../index.js'

describe('errorFromResponse', () => {
  it('maps statuses to the subclasses and keeps the seed fields', () => {
    const cases = [
      [401, AuthenticationError, 'INVALID_API_KEY'],
      [403, PermissionDeniedError, 'FORBIDDEN'],
      [404, NotFoundError, 'CHANNEL_NOT_FOUND'],
      [429, RateLimitError, 'RATE_LIMITED'],
      [400, HandoffError, 'INVALID_CURSOR'],
    ] as const
    for (const [status, type, code] of cases) {
      const err = errorFromResponse(status, { error: 'readable', code }, null)
      expect(err).toBeInstanceOf(type)
      expect(err).toBeInstanceOf(HandoffError)
      expect(err).toMatchObject({ message: 'readable', status, code })
    }
  })

  it('survives a body that is not the error shape', () => {
    expect(errorFromResponse(502, undefined, null)).toMatchObject({
      message: 'HTTP 502',
      status: 502,
      code: 'UNKNOWN',
    })
    expect(errorFromResponse(500, 'text', null)).toMatchObject({ status: 500, code: 'UNKNOWN' })
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect((errorFromResponse(429, {}, '3') as RateLimitError).retryAfter).toBe(3)
    const now = Date.parse('2026-11-27T12:00:00Z')
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:05 GMT', now)).toBe(5)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })
})

describe('backoffDelay', () => {
  it('doubles from the first step, stays within [base/2, base] and is capped', () => {
    const policy = resolveRetry({ minDelayMs: 100, maxDelayMs: 1000 })
    expect(backoffDelay(0, policy, () => 0)).toBe(50)
    expect(backoffDelay(0, policy, () => 1)).toBe(100)
    expect(backoffDelay(2, policy, () => 1)).toBe(400)
    expect(backoffDelay(20, policy, () => 1)).toBe(1000)
    expect(resolveRetry(false).maxRetries).toBe(0)
  })
})
