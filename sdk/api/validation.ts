// Turns a zod failure into the ApiError the seed would have answered, so clients keep seeing
// MISSING_FIELDS, FIELD_TOO_LARGE, INVALID_CURSOR, ... The first issue wins: schemas list their
// fields in the order the seed checked them.
import type { z } from 'zod'
import { ApiError, type ErrorCode } from './errors.js'

export type RequestPart = 'body' | 'query' | 'params'
type Kind = 'missing' | 'type' | 'too_big' | 'format'

/** Per field, the codes that differ from the defaults below. `all` overrides every kind but `missing`. */
const FIELD_CODES: Record<string, Partial<Record<Kind | 'all', ErrorCode>>> = {
  content: { too_big: 'CONTENT_TOO_LARGE', format: 'INVALID_CONTENT' },
  value: { too_big: 'VALUE_TOO_LARGE', format: 'INVALID_CONTENT' },
  key: { too_big: 'KEY_TOO_LARGE' },
  name: { format: 'INVALID_CHANNEL_NAME' },
  channel: { all: 'INVALID_CHANNEL_NAME', missing: 'INVALID_CHANNEL_NAME' },
  after_id: { all: 'INVALID_CURSOR' },
  // the relay's sync and pairing reads (a repeated ?after= too)
  after: { all: 'INVALID_CURSOR' },
  thread_id: { all: 'INVALID_CURSOR' },
  last_read_id: { format: 'INVALID_CURSOR', too_big: 'INVALID_CURSOR' },
  last_event_id: { all: 'INVALID_CURSOR' },
  id: { all: 'INVALID_CURSOR', missing: 'INVALID_CURSOR' },
  limit: { all: 'INVALID_LIMIT' },
  permissions: { all: 'INVALID_PERMISSIONS' },
  key_id: { all: 'KEY_NOT_FOUND', missing: 'KEY_NOT_FOUND' },
}

function kindOf(issue: z.core.$ZodIssue): Kind {
  const input = (issue as { input?: unknown }).input
  switch (issue.code) {
    case 'invalid_type':
      // absent and null both count as missing: the seed decoded null into "" and then said "required".
      // Only for a field itself: a null inside an array (`frames: [null]`) is a wrong type, as a number is.
      if (input === undefined) return 'missing'
      return input === null && issue.path.length <= 1 ? 'missing' : 'type'
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1 ? 'missing' : 'format'
    case 'too_big':
      return 'too_big'
    case 'custom': {
      const kind = (issue.params as { kind?: Kind } | undefined)?.kind
      return kind ?? 'format'
    }
    default:
      return 'format'
  }
}

function defaultCode(kind: Kind, part: RequestPart): ErrorCode {
  switch (kind) {
    case 'missing':
      return 'MISSING_FIELDS'
    case 'too_big':
      return 'FIELD_TOO_LARGE'
    case 'type':
      // the seed could not decode a body whose field had the wrong JSON type
      return part === 'body' ? 'INVALID_JSON' : 'INVALID_FIELD'
    default:
      return 'INVALID_FIELD'
  }
}

export function issueToApiError(issue: z.core.$ZodIssue, part: RequestPart): ApiError {
  const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined
  if (field === undefined) {
    // the body itself is not an object (an array, a string, null)
    return new ApiError('INVALID_JSON', 'Request body must be a JSON object')
  }
  // a custom check may name its code (the relay's pairing routes: NOT_FOUND for a malformed box)
  const named = issue.code === 'custom' ? (issue.params as { code?: ErrorCode } | undefined)?.code : undefined
  if (named) return new ApiError(named, readable(issue, field))
  const kind = kindOf(issue)
  const codes = FIELD_CODES[field]
  const code =
    (kind === 'missing' ? codes?.missing : (codes?.[kind] ?? codes?.all)) ?? defaultCode(kind, part)
  return new ApiError(code, readable(issue, field))
}

function readable(issue: z.core.$ZodIssue, field: string): string {
  // zod's generic wording ("Invalid input: expected string") does not name the field
  if (issue.message.startsWith('Invalid')) {
    if (issue.code === 'invalid_key' || issue.code === 'invalid_value' || issue.path.length > 1) {
      return `${field}: ${issue.message.toLowerCase()}`
    }
  }
  return issue.message
}

/** Parse one part of a request; throws the seed-compatible ApiError for the first issue. */
export function parsePart<S extends z.ZodType>(schema: S, data: unknown, part: RequestPart): z.output<S> {
  const result = schema.safeParse(data, { reportInput: true })
  if (result.success) return result.data
  const first = result.error.issues[0]
  if (!first) throw new ApiError('INVALID_FIELD', 'Invalid request')
  throw issueToApiError(first, part)
}
