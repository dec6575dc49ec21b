// Values stored in the view. Envelopes are kept as base64 of their bytes: the view holds the
// same ciphertext as the log, plus only the plaintext header fields needed to index it.

export type Role = 'admin' | 'member' | 'reader'

export interface MetaRecord {
  genesis: boolean
  /** the newest key epoch */
  epoch: number
  /** 2: applied envelopes are marked under doneKey; absent (a team created before): legacyDoneKey */
  dedupe?: 2
}

export interface MemberRecord {
  role: Role
  /** the device's autobase writer core key (hex) */
  writer: string
  removed: boolean
  /** epoch -> that epoch's key sealed to this member (hex), as given when it was added */
  sealed: Record<string, string>
  /** the MemberAdd envelope (its control body carries the member's name) */
  env: string
}

export interface EpochRecord {
  /** member public key hex -> the epoch key sealed to it */
  sealed: Record<string, string>
}

export interface ChannelRecord {
  gen: number
  /** the ChannelCreate envelope (description in its body), or null when made by first use */
  env: string | null
  created_at: number
  deleted: boolean
  /** counters of the current generation */
  msgSeq: number
  changeSeq: number
  eventSeq: number
  count: number
  last: number | null
}

export interface MessageRecord {
  id: string
  env: string
  author: string
  thread_id: string | null
  mention: string | null
  tag: string
  time: number
  replies: number
  deleted: boolean
  /** the seq of its `message` event, so a seed client's Last-Event-ID (a message id) resumes */
  ev: number
}

export interface StatusRecord {
  env: string
}

export interface ChangeRecord {
  id: string
  env: string
  deleted: boolean
}

export interface AckRecord {
  env: string
}

/** A channel event; `id` names the operation the same on every replica and after a reorder. */
export type EventRecord =
  | { type: 'message'; seq: number; id: string }
  | { type: 'delete'; id: string; thread_id: string | null; env: string }
  | { type: 'status'; seq: number; id: string }
  | { type: 'ack'; env: string }

/** An event's name: its operation's id; ack and delete events are named by their signature. */
export function eventKey(event: EventRecord): string {
  return event.type === 'ack' || event.type === 'delete'
    ? `${event.type}:${event.env.slice(-88)}`
    : `${event.type}:${event.id}`
}

export interface DroppedRecord {
  reason: string
  type: number
  author: string
}

export type ViewValue =
  | MetaRecord
  | MemberRecord
  | EpochRecord
  | ChannelRecord
  | MessageRecord
  | StatusRecord
  | ChangeRecord
  | AckRecord
  | EventRecord
  | DroppedRecord
  | number
  | true

/**
 * A view value from its stored JSON bytes, decoded once per block. Hyperbee keeps the blocks it
 * read in its node cache and hands out the same value Buffer for a block while it stays there,
 * and a block never changes, so the decoded value is remembered by that Buffer (and forgotten
 * with it). The latest-50 read decoded its 51 records on every read: ~100 KB of strings a read.
 * The value is frozen: every reader of the block shares it.
 */
export function decodeViewValue(bytes: Buffer): ViewValue {
  const known = decoded.get(bytes)
  if (known !== undefined) return known
  const value = Object.freeze(JSON.parse(bytes.toString('utf8'))) as ViewValue
  decoded.set(bytes, value)
  return value
}
const decoded = new WeakMap<Buffer, ViewValue>()
