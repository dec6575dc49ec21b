// Wire shapes of the relay's node-sync routes (docs/relay.md): the relay serves them
// (relay/routes/sync.ts), nodes call them (sdk/client/relay-sync.ts).

/** The plaintext routing header of an envelope, as the relay reads it (hex for bytes). */
export interface SyncEnvelopeHeader {
  /** hex of the 32-byte Handoff team id: the sync space */
  team: string
  channel: string
  /** the OpType name, e.g. "Message" */
  type: string
  /** hex of the author's ed25519 public key */
  author: string
  time: number
  epoch: number
  thread_id: string
  mention: string
  ref: string
}

/** One envelope of a pull page or a sync stream event (`event: envelope`, `id:` = cursor). */
export interface SyncEnvelope {
  /** position in the space's sync log: the next pull's `after`, the stream's event id */
  cursor: string
  /** envelope id, hex (BLAKE2b-256 of the signed bytes) */
  id: string
  header: SyncEnvelopeHeader
  /** the envelope bytes, base64 */
  data: string
}

/** GET /api/sync/{space}/envelopes */
export interface SyncPage {
  envelopes: SyncEnvelope[]
  next_cursor: string
  has_more: boolean
}

/** POST /api/sync/envelopes `{envelopes: [base64]}` -> `{results}` in the same order */
export interface SyncPushResult {
  id: string
  /** the log cursor of a first arrival; null when the relay already had the envelope */
  cursor: string | null
  duplicate: boolean
}

export const SYNC_MAX_PUSH = 100
export const SYNC_MAX_ENVELOPE_BYTES = 128 * 1024
export const SYNC_MAX_PULL = 500
