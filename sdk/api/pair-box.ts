// Wire shapes and limits of the relay's pairing boxes (docs/relay.md, "Pairing boxes"): the relay
// serves them (relay/routes/pairing.ts), a joining node and its inviter use them as a sealed
// two-way pipe (node/bridge/pipe.ts). Both sides share these numbers.

/** A box address: 64 hex chars, a keyed hash of the invite secret (unguessable, names nothing). */
export const PAIR_BOX_RE = /^[0-9a-f]{64}$/
/** `j`: frames the joiner writes, `i`: frames the inviter writes. */
export type PairSide = 'j' | 'i'
/** one frame's bytes (sealed, base64 on the wire) */
export const PAIR_FRAME_MAX_BYTES = 64 * 1024
/** frames per POST, and per GET page */
export const PAIR_FRAMES_MAX = 64
/** bytes one side of a box may hold in all; a join replicates the team log through it */
export const PAIR_BOX_MAX_BYTES = 64 * 1024 * 1024
/**
 * bytes one client IP may write into boxes per PAIR_BOX_TTL_MS: boxes need no key, so without
 * it one client could fill the relay's memory with boxes nobody reads
 */
export const PAIR_IP_MAX_BYTES = 2 * PAIR_BOX_MAX_BYTES
/** a box vanishes this long after its last write */
export const PAIR_BOX_TTL_MS = 10 * 60 * 1000

/** GET /api/pair/:box/:side answer */
export interface PairFramePage {
  frames: Array<{ cursor: string; data: string }>
  /** the next `after` (unchanged when no frame came) */
  next_after: string
}
