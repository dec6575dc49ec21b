// Typed client errors. The seed's `HandoffError(message, status, code)` stays the base class so
// `catch (e) { if (e instanceof HandoffError) ... e.code }` written for handoff-sdk v1.3.2 still
// works; subclasses name the failures a caller acts on differently (re-auth, ask for access,
// give up, wait and retry).

export class HandoffError extends Error {
  /** seconds the server asked to wait (Retry-After on 429 and 503), when it said */
  retryAfter: number | undefined

  constructor(
    message: string,
    public readonly status: number,
    public readonly code: string,
  ) {
    super(message)
    this.name = 'HandoffError'
  }
}

/** 401: missing, unknown or revoked API key. */
export class AuthenticationError extends HandoffError {
  constructor(message: string, code: string) {
    super(message, 401, code)
    this.name = 'AuthenticationError'
  }
}

/** 403: the key lacks the permission (the server records it in the audit log). */
export class PermissionDeniedError extends HandoffError {
  constructor(message: string, code: string) {
    super(message, 403, code)
    this.name = 'PermissionDeniedError'
  }
}

/** 404: channel, message, thread parent, key or status key does not exist. */
export class NotFoundError extends HandoffError {
  constructor(message: string, code: string) {
    super(message, 404, code)
    this.name = 'NotFoundError'
  }
}

/** 429: rate limited or a limit reached; `retryAfter` is in seconds when the server sent it. */
export class RateLimitError extends HandoffError {
  constructor(message: string, code: string, retryAfter: number | undefined) {
    super(message, 429, code)
    this.name = 'RateLimitError'
    this.retryAfter = retryAfter
  }
}

/** No HTTP answer at all: DNS, refused connection, reset socket. `status` is 0 as in the seed. */
export class ConnectionError extends HandoffError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 0, 'CONNECTION_ERROR')
    this.name = 'ConnectionError'
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); undefined when absent. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(value)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, (date - now) / 1000)
}

/** The one place an HTTP error answer becomes a typed error. */
export function errorFromResponse(
  status: number,
  body: unknown,
  retryAfterHeader: string | null,
): HandoffError {
  const payload =
    typeof body === 'object' && body !== null ? (body as { error?: unknown; code?: unknown }) : {}
  const message = typeof payload.error === 'string' ? payload.error : `HTTP ${status}`
  const code = typeof payload.code === 'string' ? payload.code : 'UNKNOWN'
  switch (status) {
    case 401:
      return new AuthenticationError(message, code)
    case 403:
      return new PermissionDeniedError(message, code)
    case 404:
      return new NotFoundError(message, code)
    case 429:
      return new RateLimitError(message, code, parseRetryAfter(retryAfterHeader))
    default: {
      const error = new HandoffError(message, status, code)
      // 503 during a server's shutdown or a store outage says when to come back.
      if (status === 503) error.retryAfter = parseRetryAfter(retryAfterHeader)
      return error
    }
  }
}
