// The one error type of the HTTP API. Domain code throws ApiError with a seed-compatible code;
// the HTTP edge maps it once to `{"error": message, "code": code}` with its status.

export const ERROR_STATUS = {
  INVALID_JSON: 400,
  MISSING_FIELDS: 400,
  FIELD_TOO_LARGE: 400,
  INVALID_FIELD: 400,
  /** the seed's codes for a status key / value over its limit, and for text that is not valid UTF-8 */
  KEY_TOO_LARGE: 400,
  VALUE_TOO_LARGE: 400,
  INVALID_CONTENT: 400,
  /** a malformed request the other codes do not name (e.g. a bad percent-encoding in the path) */
  BAD_REQUEST: 400,
  INVALID_CHANNEL_NAME: 400,
  INVALID_CURSOR: 400,
  INVALID_LIMIT: 400,
  INVALID_PERMISSIONS: 400,
  ENCRYPTION_REQUIRED: 400,
  CONTENT_TOO_LARGE: 413,
  BODY_TOO_LARGE: 413,
  MISSING_API_KEY: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CHANNEL_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  THREAD_PARENT_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  STATUS_NOT_FOUND: 404,
  TEAM_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNSUPPORTED_MEDIA_TYPE: 415,
  KEY_LIMIT_REACHED: 429,
  CHANNEL_LIMIT_REACHED: 429,
  MESSAGE_LIMIT_REACHED: 429,
  RATE_LIMITED: 429,
  SSE_LIMIT_REACHED: 429,
  /** relay node sync: too many Handoff teams (sync spaces) on one relay team */
  SYNC_LIMIT_REACHED: 429,
  /** relay pairing boxes: too many open at once for one relay team */
  PAIR_LIMIT_REACHED: 429,
  SIGNUP_RATE_LIMITED: 429,
  /** a server fault (never caused by what a client sends); details go to the log only */
  INTERNAL_ERROR: 500,
  NOT_SUPPORTED: 501,
  UNAVAILABLE: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: number
  /** seconds, sent as Retry-After on 429/503 */
  readonly retryAfter: number | undefined

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { retryAfter?: number } = {},
  ) {
    super(message)
    this.status = ERROR_STATUS[code]
    this.retryAfter = options.retryAfter
  }

  toJSON(): { error: string; code: ErrorCode } {
    return { error: this.message, code: this.code }
  }
}
