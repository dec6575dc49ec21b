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
 * bytes one client IP may write into boxes per PAIR_IP_WINDOW_MS: a second line behind the
 * opening team's budget, so one joiner cannot spend a whole team's budget alone
 */
export const PAIR_IP_MAX_BYTES = 2 * PAIR_BOX_MAX_BYTES
export const PAIR_IP_WINDOW_MS = 10 * 60 * 1000
/** the longest a box stays open: a box lives until the invite it serves expires, at most this */
export const PAIR_BOX_MAX_TTL_MS = 24 * 60 * 60 * 1000
/** boxes one relay team may hold open at once (one per pending invite of its nodes) */
export const PAIR_TEAM_MAX_BOXES = 64
/** bytes the open boxes of one relay team may hold in all, both sides counted */
export const PAIR_TEAM_MAX_BYTES = 4 * PAIR_BOX_MAX_BYTES

/** PUT /api/pair/:box body: the box lives until then (capped at PAIR_BOX_MAX_TTL_MS from now) */
export interface PairOpenRequest {
  expires_at: string
}

/** PUT /api/pair/:box answer */
export interface PairOpenResponse {
  box: string
  expires_at: string
}

/** GET /api/pair/:box/:side answer */
export interface PairFramePage {
  frames: Array<{ cursor: string; data: string }>
  /** the next `after` (unchanged when no frame came) */
  next_after: string
}
