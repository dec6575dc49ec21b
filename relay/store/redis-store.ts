// RedisStore: the relay's HandoffStore. Each method delegates to the module that owns that part
// of the key layout (see keys.ts); this file only holds the connections and their lifecycle.
import type { Redis } from 'ioredis'
import { ApiError } from '../../sdk/api/errors.js'
import type {
  CountedPrincipal,
  HandoffStore,
  KeyChange,
  MessageQuery,
  NewMessage,
  PageQuery,
  Principal,
  StreamSubscription,
  WriteCount,
} from '../../sdk/api/store.js'
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
  StatusChangePage,
  StreamEvent,
  TeamSettings,
  ThreadPage,
} from '../../sdk/api/types.js'
import type { Envelope } from '../../sdk/protocol/index.js'
import * as acks from './acks.js'
import * as audit from './audit.js'
import * as channels from './channels.js'
import { available, connectRedis, withTimeout } from './connection.js'
import { type Limits, resolveLimits, type StoreContext } from './context.js'
import { subscribeChannel } from './events.js'
import { StreamFollower } from './follower.js'
import { KeyAuth } from './key-auth.js'
import { watchKeys } from './key-watch.js'
import * as messages from './messages.js'
import { PubSub } from './pubsub.js'
import * as status from './status.js'
import { type LeaseTiming, RedisStreamSlots } from './stream-slots.js'
import * as sync from './sync.js'
import * as teams from './teams-keys.js'

export { RedisStoreUnavailable } from './connection.js'

export interface RedisStoreOptions {
  /** redis://host:port[/db]; default redis://localhost:6379 */
  url?: string
  /** raise or lower the seed's quotas (keys/channels per team, messages per channel, ...) */
  limits?: Partial<Limits>
  /** `url` names seed nodes (comma-separated) of a Redis Cluster */
  cluster?: boolean
  /** how long the first connection may take before `connect` fails; default 5 s */
  connectTimeoutMs?: number
  /** SSE stream leases (default: 30 s TTL renewed every 10 s) */
  streamLeases?: Partial<LeaseTiming>
}

export class RedisStore implements HandoffStore {
  readonly kind = 'relay' as const
  readonly ctx: StoreContext
  readonly follower: StreamFollower
  /** the per-key SSE limit across every instance (hand to the API as `sse.slots`) */
  readonly streamSlots: RedisStreamSlots
  private readonly keyAuth: KeyAuth
  private readonly sub: Redis
  private closed = false

  private constructor(redis: Redis, sub: Redis, limits: Limits, leases: Partial<LeaseTiming> = {}) {
    this.sub = sub
    this.ctx = { redis, pubsub: new PubSub(sub), limits }
    this.follower = new StreamFollower(this.ctx)
    this.streamSlots = new RedisStreamSlots(redis, leases)
    this.keyAuth = new KeyAuth(redis)
  }

  /**
   * Connect (see connection.ts) or fail with one readable RedisStoreUnavailable within the
   * timeout: never a hang, never a retry storm.
   */
  static async connect(options: RedisStoreOptions = {}): Promise<RedisStore> {
    const { redis, sub } = await connectRedis(
      options.url ?? 'redis://localhost:6379',
      options.connectTimeoutMs ?? 5_000,
      options.cluster ?? false,
    )
    return new RedisStore(redis, sub, resolveLimits(options.limits), options.streamLeases)
  }

  get redis(): Redis {
    return this.ctx.redis
  }

  async isReady(): Promise<boolean> {
    if (this.closed || this.ctx.redis.status !== 'ready') return false
    try {
      return (await withTimeout(this.ctx.redis.ping(), 1_000)) === 'PONG'
    } catch {
      return false
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.follower.close()
    this.streamSlots.close()
    // QUIT lets queued commands finish; a Redis that is down gets a bounded wait, then a hard close
    await withTimeout(Promise.allSettled([this.ctx.redis.quit(), this.sub.quit()]), 2_000).catch(() => {})
    this.ctx.redis.disconnect()
    this.sub.disconnect()
  }

  // ---- teams and keys ----
  authenticate(apiKey: string): Promise<Principal | null> {
    return available(this.keyAuth.authenticate(apiKey))
  }
  authenticateCounted(apiKey: string, windowMs: number): Promise<CountedPrincipal | null> {
    return available(this.keyAuth.authenticateCounted(apiKey, windowMs))
  }
  peekPrincipal(apiKey: string): Principal | null {
    return this.keyAuth.peek(apiKey)
  }
  signup(teamName: string, senderName: string): Promise<SignupResponse> {
    return available(teams.signup(this.ctx.redis, teamName, senderName, this.ctx.limits.keysPerTeam))
  }
  createKey(
    teamId: string,
    sender: string,
    permissions: Permissions | undefined,
  ): Promise<CreateKeyResponse> {
    return available(
      teams.createKey(this.ctx.redis, teamId, sender, permissions, this.ctx.limits.keysPerTeam),
    )
  }
  listKeys(teamId: string): Promise<KeyInfo[]> {
    return available(teams.listKeys(this.ctx.redis, teamId))
  }
  updateKeyPermissions(teamId: string, keyId: string, permissions: Permissions): Promise<void> {
    return available(teams.updateKeyPermissions(this.ctx.redis, teamId, keyId, permissions))
  }
  revokeKey(teamId: string, keyId: string): Promise<void> {
    return available(teams.revokeKey(this.ctx.redis, teamId, keyId))
  }
  watchKeys(teamId: string, listener: (change: KeyChange) => void): () => void {
    return watchKeys(this.ctx.redis, this.ctx.pubsub, teamId, listener)
  }
  getTeamSettings(teamId: string): Promise<TeamSettings> {
    return available(teams.getTeamSettings(this.ctx.redis, teamId))
  }
  updateTeamSettings(teamId: string, patch: Partial<TeamSettings>): Promise<TeamSettings> {
    return available(teams.updateTeamSettings(this.ctx.redis, teamId, patch))
  }

  // ---- audit ----
  recordAudit(teamId: string, entry: Omit<AuditEntry, 'id' | 'timestamp'>): Promise<void> {
    return available(audit.recordAudit(this.ctx, teamId, entry))
  }
  readAudit(teamId: string, query: PageQuery & { result?: string }): Promise<AuditPage> {
    return available(audit.readAudit(this.ctx, teamId, query))
  }

  // ---- channels ----
  createChannel(teamId: string, name: string, description: string | null) {
    return available(
      channels.createChannel(this.ctx.redis, teamId, name, description, this.ctx.limits.channelsPerTeam),
    )
  }
  listChannels(teamId: string): Promise<Channel[]> {
    return available(channels.listChannels(this.ctx.redis, teamId))
  }
  getChannel(teamId: string, name: string): Promise<Channel | null> {
    return available(channels.getChannel(this.ctx.redis, teamId, name))
  }
  deleteChannel(teamId: string, name: string): Promise<void> {
    return available(channels.deleteChannel(this.ctx.redis, teamId, name))
  }

  // ---- messages ----
  async postMessage(
    teamId: string,
    channel: string,
    sender: string,
    message: NewMessage,
    options: { count?: WriteCount; principal?: Principal } = {},
  ): Promise<Message> {
    const { count, principal } = options
    const proof = count && principal ? this.keyAuth.proof(principal) : undefined
    if (count && !proof) {
      // not a principal this store vouched for: nothing counted, the caller goes the ordinary way
      count.stale = true
      throw new ApiError('INVALID_API_KEY', 'Unknown principal; authenticate again')
    }
    try {
      return await available(
        messages.postMessage(
          this.ctx,
          teamId,
          channel,
          sender,
          message,
          count && proof ? { count, proof } : undefined,
        ),
      )
    } catch (err) {
      if (count?.stale && principal) this.keyAuth.forget(principal)
      throw err
    } finally {
      if (count?.hits !== undefined && principal) this.keyAuth.used(principal)
    }
  }
  getMessage(teamId: string, channel: string, id: string): Promise<Message | null> {
    return available(messages.getMessage(this.ctx, teamId, channel, id))
  }
  readMessages(teamId: string, channel: string, query: MessageQuery): Promise<MessagePage> {
    return available(messages.readMessages(this.ctx, teamId, channel, query))
  }
  readThread(teamId: string, channel: string, parentId: string, query: PageQuery): Promise<ThreadPage> {
    return available(messages.readThread(this.ctx, teamId, channel, parentId, query))
  }
  deleteMessage(
    teamId: string,
    channel: string,
    id: string,
    deletedBy: string,
    options: { asAdmin?: boolean } = {},
  ): Promise<void> {
    return available(
      messages.deleteMessage(this.ctx, teamId, channel, id, deletedBy, options.asAdmin === true),
    )
  }

  // ---- acks ----
  ack(teamId: string, channel: string, sender: string, lastReadId: string): Promise<Ack> {
    return available(acks.ack(this.ctx, teamId, channel, sender, lastReadId))
  }
  listAcks(teamId: string, channel: string): Promise<Ack[]> {
    return available(acks.listAcks(this.ctx, teamId, channel))
  }
  readUnread(teamId: string, channel: string, sender: string, limit: number): Promise<MessagePage> {
    return available(messages.readUnread(this.ctx, teamId, channel, sender, limit))
  }

  // ---- status ----
  setStatus(teamId: string, channel: string, key: string, value: string, by: string): Promise<Status> {
    return available(status.setStatus(this.ctx, teamId, channel, key, value, by))
  }
  getStatus(teamId: string, channel: string, key?: string): Promise<Status[]> {
    return available(status.getStatus(this.ctx, teamId, channel, key))
  }
  deleteStatus(teamId: string, channel: string, key: string, by: string): Promise<void> {
    return available(status.deleteStatus(this.ctx, teamId, channel, key, by))
  }
  readStatusChanges(teamId: string, channel: string, query: PageQuery): Promise<StatusChangePage> {
    return available(status.readStatusChanges(this.ctx, teamId, channel, query))
  }

  // ---- streams ----
  subscribe(
    teamId: string,
    channel: string,
    lastEventId: string | null,
    onEvent: (event: StreamEvent) => void | Promise<void>,
    onError?: (err: Error) => void,
  ): Promise<StreamSubscription> {
    return available(
      subscribeChannel(this.ctx, this.follower, teamId, channel, lastEventId, onEvent, onError),
    )
  }

  // ---- node sync (relay/routes/sync.ts) ----
  /** `envelope`: from sync.decodeForRelay (the route decodes a whole push before storing any) */
  pushEnvelope(teamId: string, envelope: Envelope): Promise<sync.PushResult> {
    return available(sync.pushEnvelope(this.ctx, teamId, envelope))
  }
  pullEnvelopes(teamId: string, space: string, after: string | null, limit: number) {
    return available(sync.pullEnvelopes(this.ctx, teamId, space, after, limit))
  }
  followEnvelopes(
    teamId: string,
    space: string,
    after: string | null,
    onItem: (item: sync.SyncItem) => void | Promise<void>,
    onError?: (err: Error) => void,
  ): Promise<StreamSubscription> {
    return available(sync.followEnvelopes(this.follower, teamId, space, after, onItem, onError))
  }
}
