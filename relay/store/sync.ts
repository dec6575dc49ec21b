// Node-sync storage: nodes push signed envelopes (opaque bytes whose plaintext header routes
// them) and pull those they lack by cursor. Each envelope is appended once to the sync log of
// its Handoff team (its bytes, base64, travel in the log entry, so trimming the log frees them);
// a marker per envelope id (the BLAKE2b of its signed bytes, kept for a TTL) recognises a second
// arrival by any path, so pulls never see a duplicate. The relay never decrypts (it has no key)
// and cannot alter an envelope without breaking its signature.
import { ApiError } from '../../sdk/api/errors.js'
import type { StreamSubscription } from '../../sdk/api/store.js'
import { SYNC_MAX_ENVELOPE_BYTES, type SyncEnvelope, type SyncEnvelopeHeader } from '../../sdk/api/sync.js'
import { decodeEnvelope, type Envelope, envelopeIdHex, OpType } from '../../sdk/protocol/index.js'
import type { StoreContext } from './context.js'
import type { StreamFollower } from './follower.js'
import { fieldsOf, parseCursor, type StreamEntry } from './ids.js'
import { keys } from './keys.js'
import { runScript } from './scripts.js'

/** the routing header a relay may read (sdk/api/sync.ts) */
export type EnvelopeRouting = SyncEnvelopeHeader

/** one envelope of a space's log: the wire shape (sdk/api/sync.ts), bytes in base64 */
export type SyncItem = SyncEnvelope

export interface PushResult {
  id: string
  /** the log cursor of a first arrival; null when the relay already had this envelope */
  cursor: string | null
}

function routingOf(envelope: Envelope): EnvelopeRouting {
  const h = envelope.header
  return {
    team: h.team.toString('hex'),
    channel: h.channel,
    type: OpType[h.type] ?? String(h.type),
    author: h.author.toString('hex'),
    time: h.time,
    epoch: h.epoch,
    thread_id: h.thread_id,
    mention: h.mention,
    ref: h.ref,
  }
}

export function decodeForRelay(bytes: Buffer): Envelope {
  if (bytes.byteLength > SYNC_MAX_ENVELOPE_BYTES) {
    throw new ApiError('FIELD_TOO_LARGE', `an envelope must be ${SYNC_MAX_ENVELOPE_BYTES} bytes or less`)
  }
  try {
    return decodeEnvelope(bytes)
  } catch (err) {
    throw new ApiError('INVALID_FIELD', `not a Handoff envelope: ${(err as Error).message}`)
  }
}

export async function pushEnvelope(
  ctx: StoreContext,
  teamId: string,
  envelope: Envelope,
): Promise<PushResult> {
  const id = envelopeIdHex(envelope)
  const routing = routingOf(envelope)
  const [, cursor] = await runScript(
    ctx.redis,
    'hfPushEnvelope',
    [keys.envelope(teamId, id), keys.syncLog(teamId, routing.team), keys.syncSpaces(teamId)],
    [
      envelope.bytes.toString('base64'),
      id,
      ctx.limits.syncLogPerSpace,
      keys.syncNotify(teamId, routing.team),
      JSON.stringify(routing),
      routing.team,
      ctx.limits.syncSpacesPerTeam,
      ctx.limits.syncSeenTtlSeconds,
    ],
  )
  return { id, cursor: cursor ? cursor : null }
}

function toItem(cursor: string, f: Record<string, string>): SyncItem | null {
  if (!f.id || !f.h || f.b === undefined) return null
  return { cursor, id: f.id, header: JSON.parse(f.h) as EnvelopeRouting, data: f.b }
}

/** a sync space: the hex of a Handoff team id (the routes' `:space` too) */
export const SPACE_RE = /^[0-9a-f]{64}$/

function checkSpace(space: string): string {
  if (!SPACE_RE.test(space)) throw new ApiError('INVALID_FIELD', 'team must be 64 hex characters')
  return space
}

export async function pullEnvelopes(
  ctx: StoreContext,
  teamId: string,
  space: string,
  after: string | null,
  limit: number,
): Promise<{ envelopes: SyncItem[]; next_cursor: string; has_more: boolean }> {
  const from = parseCursor(after, 'after') ?? '0-0'
  const entries = (await ctx.redis.xrange(
    keys.syncLog(teamId, checkSpace(space)),
    `(${from}`,
    '+',
    'COUNT',
    limit + 1,
  )) as StreamEntry[]
  const hasMore = entries.length > limit
  const page = entries.slice(0, limit)
  const envelopes = page.map(([cursor, flat]) => toItem(cursor, fieldsOf(flat))).filter((e) => e !== null)
  return { envelopes, next_cursor: page[page.length - 1]?.[0] ?? from, has_more: hasMore }
}

/** Replays the sync log after `after` (null: only new envelopes), then follows it live. */
export async function followEnvelopes(
  follower: StreamFollower,
  teamId: string,
  space: string,
  after: string | null,
  onItem: (item: SyncItem) => void | Promise<void>,
  onError?: (err: Error) => void,
): Promise<StreamSubscription> {
  checkSpace(space)
  const from = parseCursor(after, 'after')
  // the follower orders and de-duplicates by `id`, which for it must be the log cursor
  return follower.follow<{ id: string; item: SyncItem }>(
    {
      stream: keys.syncLog(teamId, space),
      notify: keys.syncNotify(teamId, space),
      parse: (cursor, fields) => {
        const item = toItem(cursor, fields)
        return item ? { id: cursor, item } : null
      },
    },
    from,
    (wrapped) => onItem(wrapped.item),
    onError,
  )
}
