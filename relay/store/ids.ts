// Stream-id helpers. Message, event, change and audit ids are Redis stream ids `<ms>-<seq>`
// (the seed's format), so they sort in log order and serve directly as exclusive cursors.
import { ApiError } from '../../sdk/api/errors.js'

const ID_RE = /^\d+-\d+$/
const U64_MAX = 18446744073709551615n

/** true when `id` is a well-formed stream id Redis accepts (both halves fit in 64 bits) */
export function isStreamId(id: string): boolean {
  if (!ID_RE.test(id) || id.length > 41) return false
  const [ms, seq] = id.split('-') as [string, string]
  return BigInt(ms) <= U64_MAX && BigInt(seq) <= U64_MAX
}

/**
 * Normalise a client cursor: null stays null, "0" and "0-0" read from the beginning, anything
 * else must be a stream id or the request fails with INVALID_CURSOR.
 */
export function parseCursor(cursor: string | null | undefined, field = 'after_id'): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null
  if (cursor === '0') return '0-0'
  if (!isStreamId(cursor)) {
    throw new ApiError('INVALID_CURSOR', `Invalid ${field} format. Expected a stream ID like '1234567890-0'`)
  }
  return cursor
}

/** Compare two stream ids numerically: <0, 0, >0 (decimal strings: longer is larger, else lexical). */
export function compareIds(a: string, b: string): number {
  const ai = a.indexOf('-')
  const bi = b.indexOf('-')
  const c = compareDecimal(a.slice(0, ai), b.slice(0, bi))
  return c !== 0 ? c : compareDecimal(a.slice(ai + 1), b.slice(bi + 1))
}

function compareDecimal(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '')
  const y = b.replace(/^0+(?=\d)/, '')
  if (x.length !== y.length) return x.length - y.length
  return x < y ? -1 : x > y ? 1 : 0
}

/** ioredis returns stream entries as [id, [field, value, ...]]; turn the flat list into a record. */
export function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string
  return out
}

export type StreamEntry = [id: string, fields: string[]]

// Calls in the same millisecond share one ISO string (the same text new Date().toISOString() would
// give each): under load several POSTs land in one millisecond, and formatting a date is one of
// the larger costs a POST has of its own.
let isoMs = -1
let isoText = ''

export function nowIso(): string {
  const ms = Date.now()
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString()
    isoMs = ms
  }
  return isoText
}
