// Zod schemas of the relay's own routes (node sync, pairing boxes): they validate each request
// through the API's route helper and describe it in GET /api/openapi.json. Codes follow
// docs/relay.md: a check that must answer another code than the field's default names it in
// `params.code` (sdk/api/validation.ts), and `.meta` puts back in the document what a custom
// check hides from it (a pattern, a minimum).
import { z } from 'zod'
import {
  PAIR_BOX_MAX_TTL_MS,
  PAIR_BOX_RE,
  PAIR_FRAME_MAX_BYTES,
  PAIR_FRAMES_MAX,
  type PairFramePage,
  type PairOpenResponse,
  type PairSide,
} from '../../sdk/api/pair-box.js'
import {
  SYNC_MAX_ENVELOPE_BYTES,
  SYNC_MAX_PULL,
  SYNC_MAX_PUSH,
  type SyncPage,
  type SyncPushResult,
} from '../../sdk/api/sync.js'
import { isStreamId } from '../store/ids.js'
import { SPACE_RE } from '../store/sync.js'

/** base64 characters of `bytes` bytes, padded */
const base64Chars = (bytes: number) => Math.ceil(bytes / 3) * 4

// ---- shared ----

export const CURSOR_MESSAGE = "Invalid after format. Expected a cursor like '1234567890-0'"
/** `after`: 0 (from the start) or a Redis stream id; INVALID_CURSOR otherwise */
export const isCursor = (s: string): boolean => s === '0' || isStreamId(s)
const cursorParam = z
  .string()
  .refine(isCursor, { message: CURSOR_MESSAGE, params: { code: 'INVALID_CURSOR' } })
  .meta({ pattern: '^(0|[0-9]+-[0-9]+)$', description: "0, or a cursor like '1732710000000-0'" })

/** A non-empty array (an empty one is MISSING_FIELDS, as an absent one) of at most `max`. */
function nonEmptyList<T extends z.ZodType>(
  item: T,
  field: string,
  what: string,
  max: number,
  tooMany: string,
) {
  const required = `${field} (a non-empty array of ${what}) is required`
  return z
    .array(item, {
      error: (issue) =>
        issue.input === undefined || issue.input === null ? required : `${field} must be an array of ${what}`,
    })
    .refine((list) => list.length > 0, { message: required, params: { kind: 'missing' } })
    .max(max, tooMany)
    .meta({ minItems: 1 })
}

// ---- node sync ----

/** standard or URL-safe base64; what it holds is checked by decoding it (relay/store/sync.ts) */
const ENVELOPE_RE = /^[A-Za-z0-9+/_-]*={0,2}$/

export const syncPushBody = z.object({
  envelopes: nonEmptyList(
    z
      .string()
      .regex(ENVELOPE_RE, 'envelopes: each must be a base64 string')
      .max(
        base64Chars(SYNC_MAX_ENVELOPE_BYTES),
        `an envelope must be ${SYNC_MAX_ENVELOPE_BYTES} bytes or less`,
      ),
    'envelopes',
    'base64 strings',
    SYNC_MAX_PUSH,
    `at most ${SYNC_MAX_PUSH} envelopes per push`,
  ),
})

/** `:space`: the hex of a Handoff team id (the envelopes' header `team`) */
export const syncSpaceParams = z.object({
  space: z.string().regex(SPACE_RE, 'space must be 64 hex characters'),
})

const LIMIT_MESSAGE = `limit must be an integer between 1 and ${SYNC_MAX_PULL}`
export const syncPullQuery = z.object({
  after: cursorParam.optional(),
  // field `limit`: every failure is INVALID_LIMIT (sdk/api/validation.ts)
  limit: z
    .string({ error: LIMIT_MESSAGE })
    .regex(/^\d{1,4}$/, LIMIT_MESSAGE)
    .refine((s) => Number(s) >= 1 && Number(s) <= SYNC_MAX_PULL, LIMIT_MESSAGE)
    .transform(Number)
    .optional()
    .meta({ description: 'envelopes per page, default 100' }),
})

export const syncStreamQuery = z.object({
  after: cursorParam.optional().meta({ description: 'resume after this cursor; Last-Event-ID wins' }),
})

const syncHeader = z.object({
  team: z.string(),
  channel: z.string(),
  type: z.string(),
  author: z.string(),
  time: z.number(),
  epoch: z.number(),
  thread_id: z.string(),
  mention: z.string(),
  ref: z.string(),
})
export const syncPage = z.object({
  envelopes: z.array(z.object({ cursor: z.string(), id: z.string(), header: syncHeader, data: z.string() })),
  next_cursor: z.string(),
  has_more: z.boolean(),
})
const syncPushResult = z.object({ id: z.string(), cursor: z.string().nullable(), duplicate: z.boolean() })
export const syncPushResponse = z.object({ results: z.array(syncPushResult) })

// ---- pairing boxes ----

// A malformed address or side names no box: NOT_FOUND, as a box nobody opened.
const boxAddress = z
  .string()
  .refine((s) => PAIR_BOX_RE.test(s), { message: 'No such pairing box', params: { code: 'NOT_FOUND' } })
  .meta({ pattern: PAIR_BOX_RE.source })
const boxSide = z
  .string()
  .refine((s) => s === 'i' || s === 'j', {
    message: 'No such pairing box side',
    params: { code: 'NOT_FOUND' },
  })
  .transform((s) => s as PairSide)
  .meta({ enum: ['i', 'j'], description: 'j: frames the joiner writes, i: the inviter' })

export const pairBoxParams = z.object({ box: boxAddress })
export const pairSideParams = z.object({ box: boxAddress, side: boxSide })

const EXPIRY_MESSAGE = 'expires_at must be an ISO 8601 time in the future'
export const pairOpenBody = z.object({
  /** the box's expiry in ms: the invite's, capped at PAIR_BOX_MAX_TTL_MS from now */
  expires_at: z
    .string({
      error: (issue) =>
        issue.input === undefined || issue.input === null
          ? 'expires_at (an ISO 8601 time) is required'
          : EXPIRY_MESSAGE,
    })
    .refine((s) => Date.parse(s) > Date.now() + 1000, EXPIRY_MESSAGE)
    .transform((s) => Math.min(Date.parse(s), Date.now() + PAIR_BOX_MAX_TTL_MS))
    .meta({ format: 'date-time' }),
})

const FRAME_MAX_CHARS = base64Chars(PAIR_FRAME_MAX_BYTES)
export const pairAppendBody = z.object({
  frames: nonEmptyList(
    z
      .string()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'frames: each must be a base64 string')
      .max(FRAME_MAX_CHARS, `a frame must be ${PAIR_FRAME_MAX_BYTES} bytes or less`),
    'frames',
    'base64 strings',
    PAIR_FRAMES_MAX,
    `at most ${PAIR_FRAMES_MAX} frames per request`,
  ),
})
/** the most a POST of frames may take: every frame at its largest, and room for the JSON around them */
export const PAIR_APPEND_MAX_BODY = PAIR_FRAMES_MAX * FRAME_MAX_CHARS + 4096

export const pairReadQuery = z.object({ after: cursorParam.optional() })

export const pairOpened = z.object({ box: z.string(), expires_at: z.string().describe('ISO 8601 UTC') })
export const pairClosed = z.object({ closed: z.literal(true) })
export const pairAppended = z.object({ appended: z.number().int() })
export const pairPage = z.object({
  frames: z.array(z.object({ cursor: z.string(), data: z.string() })),
  next_after: z.string(),
})

// ---- drift checks: each line fails to compile when a schema and its wire type disagree ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const same = <A, B>(ok: Same<A, B>) => ok
same<z.infer<typeof syncPage>, SyncPage>(true)
same<z.infer<typeof syncPushResult>, SyncPushResult>(true)
same<z.infer<typeof pairOpened>, PairOpenResponse>(true)
same<z.infer<typeof pairPage>, PairFramePage>(true)
