// The Redis key layout of the relay, in one place. Every key of a team carries the hash tag
// `{<teamId>}` so that all of a team's keys live in one Redis Cluster slot: a Lua script or
// MULTI may then touch any of them. The only keys outside a team are the API-key lookups
// (`hf:apikey:<sha256>`), each a single key read on its own.
//
// Team ids are hex and channel names match ^[a-z0-9][a-z0-9._-]{0,63}$ (validated at the HTTP
// edge), so neither can contain ':' or braces and no two keys can collide.

export const LIMITS = {
  /** active (non-revoked) API keys per team, as the seed */
  keysPerTeam: 20,
  /** channels per team, as the seed */
  channelsPerTeam: 50,
  /** messages kept per channel (older ones are trimmed, as the seed; `MAXLEN ~` keeps at least this many) */
  messagesPerChannel: 10_000,
  /** replies kept per thread index */
  repliesPerThread: 10_000,
  /** events kept per channel stream: the window a client can resume from with Last-Event-ID */
  eventsPerChannel: 10_000,
  /** status changes kept per channel */
  statusChangesPerChannel: 10_000,
  /** audit entries kept per team, as the seed */
  auditPerTeam: 10_000,
  /** envelopes kept per node-sync space (the relay is a buffer for nodes, not their archive) */
  syncLogPerSpace: 100_000,
  /** Handoff teams (sync spaces) one relay team may carry */
  syncSpacesPerTeam: 16,
  /** how long a pushed envelope id is remembered to refuse a second copy (30 days) */
  syncSeenTtlSeconds: 30 * 24 * 3600,
} as const

const team = (teamId: string) => `hf:{${teamId}}`
const chan = (teamId: string, channel: string) => `${team(teamId)}:c:${channel}`

export const keys = {
  /** hash for the SHA-256 (hex) of a secret: t (team id), k (key id), s (sender), p (permissions JSON), h (the hash), u (last use, ms) */
  apiKey: (hash: string) => `hf:apikey:${hash}`,

  /** hash: id, name, created_at, encryption_required ("1" or absent), key_seq */
  team: (teamId: string) => `${team(teamId)}:team`,
  /** hash: hash (sha256 hex), sender, permissions (JSON), created_at, last_used_at, revoked ("1") */
  key: (teamId: string, keyId: string) => `${team(teamId)}:key:${keyId}`,
  /**
   * string: the key's request count in its current rate-limit window (with a TTL). In the team's
   * slot, so the script that checks the key's record counts it, and a message write can do both.
   */
  keyHits: (teamId: string, keyId: string) => `${team(teamId)}:rl:${keyId}`,
  /** sorted set of every key id ever created (score: creation order) */
  keyIds: (teamId: string) => `${team(teamId)}:keys`,
  /** set of the key ids not revoked: the KEY_LIMIT_REACHED count */
  activeKeyIds: (teamId: string) => `${team(teamId)}:keys:active`,
  /** pub/sub channel of key changes (revocation, permissions) for every relay instance */
  keyEvents: (teamId: string) => `${team(teamId)}:keys:events`,
  /** sorted set: the key's open SSE streams on every instance (member: lease id, score: expiry ms) */
  streamLeases: (teamId: string, keyId: string) => `${team(teamId)}:sse:${keyId}`,

  /** stream of audit entries (permission denials) */
  audit: (teamId: string) => `${team(teamId)}:audit`,

  /** set of channel names */
  channels: (teamId: string) => `${team(teamId)}:channels`,
  /** hash: name, description, created_at, last_activity */
  channelMeta: (teamId: string, channel: string) => `${chan(teamId, channel)}:meta`,
  /** stream: one entry per message (fields s, c, m?, t?, at, e?) */
  messages: (teamId: string, channel: string) => `${chan(teamId, channel)}:msgs`,
  /** stream: the replies of one parent, each under the same id as in `messages` */
  thread: (teamId: string, channel: string, parentId: string) => `${chan(teamId, channel)}:thr:${parentId}`,
  /** set of parent ids that have a thread stream (so a channel delete finds them) */
  threads: (teamId: string, channel: string) => `${chan(teamId, channel)}:threads`,
  /** hash: parent id -> reply count */
  replyCounts: (teamId: string, channel: string) => `${chan(teamId, channel)}:rc`,
  /** hash: sender -> JSON {last_read_id, acked_at} */
  acks: (teamId: string, channel: string) => `${chan(teamId, channel)}:acks`,
  /** hash: status key -> JSON {value, updated_by, updated_at} */
  status: (teamId: string, channel: string) => `${chan(teamId, channel)}:status`,
  /** stream of status changes, sets and deletes */
  statusChanges: (teamId: string, channel: string) => `${chan(teamId, channel)}:slog`,
  /** stream of every event of the channel; its ids are the SSE event ids */
  events: (teamId: string, channel: string) => `${chan(teamId, channel)}:events`,
  /** pub/sub channel: "something was appended to `events`" (payload: the event id) */
  eventsNotify: (teamId: string, channel: string) => `${chan(teamId, channel)}:notify`,

  /** string: "this envelope id was pushed" (its log cursor), with a TTL */
  envelope: (teamId: string, envelopeId: string) => `${team(teamId)}:env:${envelopeId}`,
  /** set of the sync spaces (Handoff team ids, hex) the team has pushed to */
  syncSpaces: (teamId: string) => `${team(teamId)}:sync:spaces`,
  /**
   * stream: the node-sync log of one Handoff team (`space`: the hex of the envelopes' 32-byte
   * header team) inside a relay team; one entry per distinct envelope (id, h: header JSON,
   * b: bytes base64); ids are the pull cursors
   */
  syncLog: (teamId: string, space: string) => `${team(teamId)}:sync:${space}`,
  /** pub/sub channel: "an envelope was appended to that sync log" */
  syncNotify: (teamId: string, space: string) => `${team(teamId)}:sync:${space}:notify`,
}

/** Every key that belongs to one channel, except the per-parent thread streams. */
export function channelKeys(teamId: string, channel: string): string[] {
  return [
    keys.channelMeta(teamId, channel),
    keys.messages(teamId, channel),
    keys.threads(teamId, channel),
    keys.replyCounts(teamId, channel),
    keys.acks(teamId, channel),
    keys.status(teamId, channel),
    keys.statusChanges(teamId, channel),
    keys.events(teamId, channel),
  ]
}
