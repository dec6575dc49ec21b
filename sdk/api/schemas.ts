// Zod schemas of every request the HTTP API accepts (bodies, queries, path parameters), shared by
// both servers and the SDK. Limits and error wording follow the seed (handoff-sdk v1.3.2) except
// where SPEC.md changes them (channel names). `validation.ts` maps a failure to the seed's codes.
import { z } from 'zod'

/** SPEC: lower-case, 1-64 characters, starting with a letter or digit. */
export const CHANNEL_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/
/**
 * Message, change, audit and event ids: the seed's Redis stream ids (`1712345678901-0`) or a plain
 * sequence number (`42`). `0` and `0-0` both mean "from the beginning".
 */
export const CURSOR_RE = /^\d{1,20}(-\d{1,20})?$/
/** Key ids as stores issue them (hex hashes, base32, uuids). */
export const KEY_ID_RE = /^[A-Za-z0-9._~-]{1,128}$/

export const LIMITS = {
  /** bytes of UTF-8 in a message's content (the seed's MaxContentLength) */
  contentBytes: 32768,
  /** bytes of a status key / value (the seed's MaxStatusKeyLength / MaxStatusValueLength) */
  statusKeyBytes: 256,
  statusValueBytes: 32768,
  /** bytes of a team or sender name (the seed's 128) */
  nameBytes: 128,
  /** bytes of a channel description (the seed had none; 4 KiB is plenty for a sentence) */
  descriptionBytes: 4096,
  /** page size bounds and default */
  pageMin: 1,
  pageMax: 100,
  pageDefault: 50,
} as const

/** Prefixes of end-to-end-encrypted content strings: the protocol's envelopes and the seed's AES-GCM. */
export const ENCRYPTED_CONTENT_PREFIXES = ['hf1:', 'e2ee:'] as const

export function isEncryptedContent(content: string): boolean {
  return ENCRYPTED_CONTENT_PREFIXES.some((prefix) => content.startsWith(prefix))
}

// Absent or null reads "is required" (the seed's wording), any other wrong type "must be a string".
const stringError = (field: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null ? `${field} is required` : `${field} must be a string`

// counted, not encoded: TextEncoder.encode allocated a copy of every message body (relay bench)
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8')
// A lone UTF-16 surrogate (from a `\ud800` JSON escape) cannot be stored as UTF-8 text.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

// `params.kind` tells validation.ts which seed code a custom check stands for.
const maxBytes = (max: number, message: string) =>
  z.string().refine((s) => byteLength(s) <= max, { message, params: { kind: 'too_big' } })
const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s)
const textCheck = (message: string) => ({ message, params: { kind: 'format' } })

function requiredText(field: string, max: number, maxMessage: string) {
  return z
    .string({ error: stringError(field) })
    .min(1, `${field} is required`)
    .refine((s) => byteLength(s) <= max, { message: maxMessage, params: { kind: 'too_big' } })
}

/** `007-01` -> `7-1`: stores compare and range over ids, so leading zeros must not reach them. */
export function canonicalCursor(id: string): string {
  return id.replace(/(^|-)0+(?=\d)/g, '$1')
}

const cursor = (field: string) =>
  z
    .string({ error: stringError(field) })
    .regex(CURSOR_RE, `Invalid ${field} format. Expected a message ID like '1234567890-0'`)
    .transform(canonicalCursor)

export const channelName = z
  .string({ error: stringError('name') })
  .min(1, 'name is required')
  .regex(
    CHANNEL_NAME_RE,
    'Channel name must be 1-64 characters: lower-case letters, digits, dots, hyphens and underscores, starting with a letter or digit',
  )

export const permissionLevel = z.enum(['read', 'write', 'admin'])
export const permissions = z.record(
  z.union([z.literal('*'), z.string().regex(CHANNEL_NAME_RE)]),
  permissionLevel,
  {
    error: (issue) =>
      issue.input === undefined || issue.input === null
        ? 'permissions is required'
        : 'permissions must be an object mapping a channel name or "*" to "read", "write" or "admin"',
  },
)

// ---- query helpers: query values are strings; an empty one counts as absent (as the seed) ----

const LIMIT_MESSAGE = `limit must be an integer between ${LIMITS.pageMin} and ${LIMITS.pageMax}`
export const limitParam = z
  .string({ error: LIMIT_MESSAGE })
  .regex(/^[+]?\d{1,6}$/, LIMIT_MESSAGE)
  .refine((s) => Number(s) >= LIMITS.pageMin && Number(s) <= LIMITS.pageMax, LIMIT_MESSAGE)
  .transform(Number)

const optionalName = (field: string) => maxBytes(LIMITS.nameBytes, `${field} must be 128 characters or less`)

// ---- bodies ----

export const signupBody = z.object({
  team_name: requiredText('team_name', LIMITS.nameBytes, 'team_name must be 128 characters or less'),
  sender_name: requiredText('sender_name', LIMITS.nameBytes, 'sender_name must be 128 characters or less'),
})

export const createKeyBody = z.object({
  sender_name: requiredText('sender_name', LIMITS.nameBytes, 'sender_name must be 128 characters or less'),
  /** absent or null: `{"*": "admin"}` as the seed; `{}` grants nothing */
  permissions: permissions.nullish(),
})

export const updatePermissionsBody = z.object({
  permissions: permissions,
})

export const createChannelBody = z.object({
  name: channelName,
  description: maxBytes(LIMITS.descriptionBytes, 'description must be 4096 bytes or less').nullish(),
})

export const postMessageBody = z.object({
  content: requiredText(
    'content',
    LIMITS.contentBytes,
    `content must be ${LIMITS.contentBytes} bytes or less`,
  ).refine(wellFormed, textCheck('Content must be valid UTF-8 text')),
  mention: optionalName('mention').nullish(),
  thread_id: cursor('thread_id').nullish(),
})

export const ackBody = z.object({
  last_read_id: z
    .string({ error: stringError('last_read_id') })
    .min(1, 'last_read_id is required')
    .regex(CURSOR_RE, "Invalid last_read_id format. Expected a message ID like '1234567890-0'")
    .transform(canonicalCursor),
})

export const statusKey = z
  .string({ error: stringError('key') })
  .min(1, 'key and value are required')
  .refine((s) => byteLength(s) <= LIMITS.statusKeyBytes, {
    message: `Status key must be ${LIMITS.statusKeyBytes} characters or less`,
    params: { kind: 'too_big' },
  })

export const setStatusBody = z.object({
  key: statusKey,
  // The seed accepts a missing value as "" (only the key is required).
  value: maxBytes(LIMITS.statusValueBytes, `Status value must be ${LIMITS.statusValueBytes} bytes or less`)
    .refine(wellFormed, textCheck('Status value must be valid UTF-8 text'))
    .default(''),
})

/** PUT /api/team/settings (relay): every field optional, at least one given */
export const teamSettingsBody = z
  .object({
    encryption_required: z.boolean({ error: 'encryption_required must be true or false' }).optional(),
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    message: 'encryption_required is required',
    path: ['encryption_required'],
    params: { kind: 'missing' },
  })

// ---- queries ----

export const pageQuery = z.object({
  after_id: cursor('after_id').optional(),
  limit: limitParam.optional(),
})

export const readMessagesQuery = z.object({
  after_id: cursor('after_id').optional(),
  thread_id: cursor('thread_id').optional(),
  limit: limitParam.optional(),
  mention: z.string().optional(),
  sender: z.string().optional(),
})

export const auditQuery = pageQuery.extend({
  /** e.g. `denied`: only entries with this result */
  result: z.string().max(32).optional(),
})

export const unreadQuery = z.object({ limit: limitParam.optional() })
export const statusQuery = z.object({ key: z.string().optional() })
export const crossStatusQuery = z.object({
  channel: z.string().optional(),
  key: z.string().optional(),
})
export const streamQuery = z.object({
  last_event_id: cursor('last_event_id').optional(),
})

// ---- path parameters ----

export const channelParams = z.object({ channel: channelName })
export const messageParams = z.object({ channel: channelName, id: cursor('message ID') })
export const statusKeyParams = z.object({ channel: channelName, key: statusKey })
export const keyIdParams = z.object({
  key_id: z.string().regex(KEY_ID_RE, 'API key not found'),
})

export type SignupBody = z.infer<typeof signupBody>
export type CreateKeyBody = z.infer<typeof createKeyBody>
export type PostMessageBody = z.infer<typeof postMessageBody>
export type ReadMessagesQuery = z.infer<typeof readMessagesQuery>
