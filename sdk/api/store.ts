// The boundary between the shared HTTP layer and a server's storage. The relay implements it on
// Redis, the node on autobase. The HTTP layer authenticates, validates and checks permissions,
// then calls exactly one of these methods; a store throws ApiError for domain failures
// (CHANNEL_NOT_FOUND, MESSAGE_NOT_FOUND, KEY_LIMIT_REACHED, ...) and never speaks HTTP.
import type {
  Ack,
  AuditEntry,
  AuditPage,
  Channel,
  CreateKeyResponse,
  KeyInfo,
  Message,
  MessagePage,
  Permissions,
  SignupResponse,
  Status,
  StatusChange,
  StatusChangePage,
  StreamEvent,
  TeamSettings,
  ThreadPage,
} from './types.js'

/** Who is calling: resolved from an API key by `authenticate`. */
export interface Principal {
  teamId: string
  keyId: string
  sender: string
  permissions: Permissions
}

export interface PageQuery {
  /**
   * exclusive cursor; null reads the latest `limit`, oldest first (messages, status changes: as
   * the seed) or the newest entries (the audit log, which pages newest first)
   */
  after_id: string | null
  limit: number
}

export interface MessageQuery extends PageQuery {
  mention?: string
  sender?: string
  thread_id?: string
}

export interface NewMessage {
  content: string
  mention: string | null
  thread_id: string | null
}

export interface StreamSubscription {
  close(): Promise<void>
}

/** A principal with its request count in the current rate-limit window and the window's ms left. */
export interface CountedPrincipal {
  principal: Principal
  hits: number
  ttlMs: number
}

/**
 * A write that also counts the request in the key's rate-limit window, in the same storage round
 * trip (see `peekPrincipal`). The store fills in `hits` and `ttlMs` once it counted; past `max` it
 * writes nothing and throws RATE_LIMITED. When the key changed since it was cached (revoked, new
 * permissions) it counts and writes nothing, sets `stale` and throws: the caller authenticates
 * and checks again the ordinary way.
 */
export interface WriteCount {
  windowMs: number
  max: number
  hits?: number
  ttlMs?: number
  stale?: boolean
}

/** Key lifecycle notifications, so open streams can be closed or re-checked at once. */
export type KeyChange =
  | { type: 'revoked'; keyId: string }
  | { type: 'permissions'; keyId: string; permissions: Permissions }

export interface HandoffStore {
  /** 'relay' or 'node': a few routes differ (signup is relay-only) */
  readonly kind: 'relay' | 'node'
  /** true when the backing storage answers (readyz) */
  isReady(): Promise<boolean>
  close(): Promise<void>

  /** Resolve an API key (compared in constant time, stored hashed); null if unknown or revoked. */
  authenticate(apiKey: string): Promise<Principal | null>
  /**
   * Optional: `authenticate` that also counts the request in the key's rate-limit window (fixed
   * window of `windowMs`, started by its first request) in the same storage round trip. Unknown
   * keys are not counted. Used instead of the HTTP layer's own counter when the server asks for it.
   */
  authenticateCounted?(apiKey: string, windowMs: number): Promise<CountedPrincipal | null>
  /**
   * Optional: the principal of a key the store remembers, with no storage call, or null. It is not
   * proof of anything yet: only a write given a `WriteCount` may use it, which checks the key first.
   */
  peekPrincipal?(apiKey: string): Principal | null
  signup(teamName: string, senderName: string): Promise<SignupResponse>

  createKey(teamId: string, sender: string, permissions: Permissions | undefined): Promise<CreateKeyResponse>
  listKeys(teamId: string): Promise<KeyInfo[]>
  updateKeyPermissions(teamId: string, keyId: string, permissions: Permissions): Promise<void>
  revokeKey(teamId: string, keyId: string): Promise<void>
  watchKeys(teamId: string, listener: (change: KeyChange) => void): () => void

  recordAudit(teamId: string, entry: Omit<AuditEntry, 'id' | 'timestamp'>): Promise<void>
  readAudit(teamId: string, query: PageQuery & { result?: string }): Promise<AuditPage>

  createChannel(
    teamId: string,
    name: string,
    description: string | null,
  ): Promise<{ channel: Channel; created: boolean }>
  listChannels(teamId: string): Promise<Channel[]>
  getChannel(teamId: string, name: string): Promise<Channel | null>
  deleteChannel(teamId: string, name: string): Promise<void>

  /** `options.count`: only with a principal from `peekPrincipal` (see WriteCount) */
  postMessage(
    teamId: string,
    channel: string,
    sender: string,
    message: NewMessage,
    options?: { count?: WriteCount; principal?: Principal },
  ): Promise<Message>
  getMessage(teamId: string, channel: string, id: string): Promise<Message | null>
  readMessages(teamId: string, channel: string, query: MessageQuery): Promise<MessagePage>
  readThread(teamId: string, channel: string, parentId: string, query: PageQuery): Promise<ThreadPage>
  /**
   * SPEC: the author or an admin may delete. Pass `{ asAdmin: true }` when the caller holds admin
   * on the channel; otherwise the store refuses with FORBIDDEN unless `deletedBy` is the sender
   * (the safe default: a caller that forgets the flag cannot delete other people's messages).
   */
  deleteMessage(
    teamId: string,
    channel: string,
    id: string,
    deletedBy: string,
    options?: { asAdmin?: boolean },
  ): Promise<void>

  ack(teamId: string, channel: string, sender: string, lastReadId: string): Promise<Ack>
  listAcks(teamId: string, channel: string): Promise<Ack[]>
  readUnread(teamId: string, channel: string, sender: string, limit: number): Promise<MessagePage>

  setStatus(teamId: string, channel: string, key: string, value: string, by: string): Promise<Status>
  getStatus(teamId: string, channel: string, key?: string): Promise<Status[]>
  deleteStatus(teamId: string, channel: string, key: string, by: string): Promise<void>
  readStatusChanges(teamId: string, channel: string, query: PageQuery): Promise<StatusChangePage>

  /**
   * Team settings (relay): `GET /api/team/settings` (read on "*") and `PUT /api/team/settings`
   * `{encryption_required: boolean}` (admin on "*") -> the settings. With encryption_required,
   * postMessage/setStatus refuse plaintext (content not starting with `e2ee:` or `hf1:`) with
   * ENCRYPTION_REQUIRED. Optional: without them the routes are not served (404 NOT_FOUND, never a 5xx).
   */
  getTeamSettings?(teamId: string): Promise<TeamSettings>
  updateTeamSettings?(teamId: string, patch: Partial<TeamSettings>): Promise<TeamSettings>

  /**
   * Stream a channel's events: first every event after `lastEventId` (none when null), then live
   * ones, each exactly once and in order. `onEvent` may return a promise to apply back-pressure.
   * `onError` (optional for a store to call) reports, at most once, that the subscription cannot
   * deliver for now (e.g. its storage became unreachable: ApiError UNAVAILABLE); the subscription
   * stays open and may resume, so the caller decides whether to close it.
   */
  subscribe(
    teamId: string,
    channel: string,
    lastEventId: string | null,
    onEvent: (event: StreamEvent) => void | Promise<void>,
    onError?: (err: Error) => void,
  ): Promise<StreamSubscription>
}

export type { StatusChange }
