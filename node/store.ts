// NodeStore: the HandoffStore of the local node. Writes become signed, encrypted envelopes
// appended to the team log (applied to the view before the call returns, so local readers see
// them at once, online or not); reads come from the view, opened with the node's epoch keys.
// API keys and the audit log are this node's own (local-state.ts).
import { EventEmitter } from 'node:events'
import { ApiError } from '../sdk/api/errors.js'
import type {
  HandoffStore,
  KeyChange,
  MessageQuery,
  NewMessage,
  PageQuery,
  Principal,
  StreamSubscription,
} from '../sdk/api/store.js'
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
  ThreadPage,
} from '../sdk/api/types.js'
import type { Envelope } from '../sdk/protocol/index.js'
import { listAcks, readUnread, writeAck } from './acks.js'
import type { NodeKeys } from './keyring.js'
import type { LocalState } from './local-state.js'
import { apiIdOf, OpType, sealContent, senderTagOf } from './log/ops.js'
import type { TeamLog } from './log/team-log.js'
import { readMessagePage, readReplies } from './messages.js'
import { readChangePage } from './status-changes.js'
import { deleteStatus, getStatus, setStatus } from './statuses.js'
import { subscribeChannel } from './stream.js'
import { channelKey } from './view/keys.js'
import { ViewReader } from './view/read.js'
import type { ChannelRecord } from './view/records.js'
import { EnvelopeWriter } from './write-envelopes.js'

export class NodeStore extends EventEmitter implements HandoffStore {
  readonly kind = 'node' as const
  readonly reader: ViewReader
  private readonly writer: EnvelopeWriter
  private closed = false

  constructor(
    readonly log: TeamLog,
    readonly local: LocalState,
    readonly keys: NodeKeys,
    readonly teamId: string,
  ) {
    super()
    this.setMaxListeners(0)
    this.reader = new ViewReader(() => log.view, keys)
    this.writer = new EnvelopeWriter(log, this.reader, () => this.emit('change'))
  }

  async isReady(): Promise<boolean> {
    return !this.closed
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private team(teamId: string): void {
    // one team per node: another team's id names nothing here
    if (teamId !== this.teamId) throw new ApiError('NOT_FOUND', 'Team not found')
  }

  /** A sender name as the view indexes it (blinded, see ops.ts senderTagOf). */
  senderTag(sender: string): string {
    return senderTagOf(this.keys.teamKey, sender)
  }

  /**
   * Runs a check and the write it guards after earlier calls with the same key (default: one
   * key for all callers, as membership changes use it); other writes are not held up.
   */
  serial<T>(fn: () => Promise<T>, key?: string): Promise<T> {
    return this.writer.serial(fn, key)
  }

  /**
   * Append one envelope (group-committed with concurrent writes); resolves once it is durable
   * and applied, throws the API error matching apply's reason if it was dropped.
   */
  appendEnvelope(envelope: Envelope): Promise<void> {
    return this.writer.append(envelope)
  }

  // ---- keys and audit: node-local ----

  async authenticate(apiKey: string): Promise<Principal | null> {
    return this.local.authenticate(apiKey)
  }

  async signup(): Promise<SignupResponse> {
    throw new ApiError('NOT_SUPPORTED', 'A node makes its team with `handoff node`; signup is a relay route')
  }

  async createKey(
    teamId: string,
    sender: string,
    permissions: Permissions | undefined,
  ): Promise<CreateKeyResponse> {
    this.team(teamId)
    return this.local.createKey(sender, permissions)
  }

  async listKeys(teamId: string): Promise<KeyInfo[]> {
    this.team(teamId)
    return this.local.listKeys()
  }

  async updateKeyPermissions(teamId: string, keyId: string, permissions: Permissions): Promise<void> {
    if (teamId !== this.teamId) throw new ApiError('KEY_NOT_FOUND', 'API key not found')
    await this.local.updatePermissions(keyId, permissions)
  }

  async revokeKey(teamId: string, keyId: string): Promise<void> {
    if (teamId !== this.teamId) throw new ApiError('KEY_NOT_FOUND', 'API key not found')
    await this.local.revoke(keyId)
  }

  watchKeys(_teamId: string, listener: (change: KeyChange) => void): () => void {
    return this.local.watch(listener)
  }

  async recordAudit(teamId: string, entry: Omit<AuditEntry, 'id' | 'timestamp'>): Promise<void> {
    this.team(teamId)
    await this.local.recordAudit(entry)
  }

  async readAudit(teamId: string, query: PageQuery & { result?: string }): Promise<AuditPage> {
    this.team(teamId)
    return this.local.readAudit(query)
  }

  // ---- channels ----

  async createChannel(teamId: string, name: string, description: string | null) {
    this.team(teamId)
    // keyed: two creates of one name must not both pass the existence check
    return this.serial(async () => {
      const existing = await this.reader.channel(name)
      if (existing) return { channel: this.reader.toChannel(name, existing.record), created: false }
      await this.appendEnvelope(
        sealContent(this.keys, { type: OpType.ChannelCreate, channel: name, body: { description } }),
      )
      const made = await this.reader.channel(name)
      if (!made) throw new ApiError('UNAVAILABLE', 'The channel was not created')
      return { channel: this.reader.toChannel(name, made.record), created: true }
    }, `ch/${name}`)
  }

  async listChannels(teamId: string): Promise<Channel[]> {
    this.team(teamId)
    return this.reader.listChannels()
  }

  async getChannel(teamId: string, name: string): Promise<Channel | null> {
    this.team(teamId)
    const ch = await this.reader.channel(name)
    return ch ? this.reader.toChannel(name, ch.record) : null
  }

  async deleteChannel(teamId: string, name: string): Promise<void> {
    this.team(teamId)
    await this.serial(async () => {
      if (!(await this.reader.channel(name))) throw new ApiError('CHANNEL_NOT_FOUND', 'Channel not found')
      await this.appendEnvelope(
        sealContent(this.keys, { type: OpType.ChannelDelete, channel: name, body: {} }),
      )
    }, `ch/${name}`)
  }

  // ---- messages ----

  async postMessage(teamId: string, channel: string, sender: string, message: NewMessage): Promise<Message> {
    this.team(teamId)
    // no lock: apply checks the parent again and orders concurrent posts in the queue's order
    if (message.thread_id) {
      const ch = await this.reader.channel(channel)
      if (!ch || !(await this.reader.messageById(ch.space, message.thread_id))) {
        throw new ApiError('THREAD_PARENT_NOT_FOUND', 'The message you are replying to does not exist')
      }
    }
    const envelope = sealContent(this.keys, {
      type: OpType.Message,
      channel,
      thread_id: message.thread_id,
      mention: message.mention,
      ref: this.senderTag(sender),
      body: { content: message.content, sender },
    })
    await this.appendEnvelope(envelope)
    const posted = await this.getMessage(teamId, channel, apiIdOf(envelope))
    if (!posted) throw new ApiError('UNAVAILABLE', 'The message was not stored')
    return posted
  }

  async getMessage(teamId: string, channel: string, id: string): Promise<Message | null> {
    this.team(teamId)
    const ch = await this.reader.channel(channel)
    const found = ch ? await this.reader.messageById(ch.space, id) : null
    return found ? this.reader.toMessage(channel, found.record) : null
  }

  async readMessages(teamId: string, channel: string, query: MessageQuery): Promise<MessagePage> {
    this.team(teamId)
    return readMessagePage(
      this.reader,
      channel,
      query,
      query.sender ? this.senderTag(query.sender) : null,
      null,
    )
  }

  async readThread(teamId: string, channel: string, parentId: string, query: PageQuery): Promise<ThreadPage> {
    this.team(teamId)
    return readReplies(this.reader, channel, parentId, query)
  }

  async deleteMessage(
    teamId: string,
    channel: string,
    id: string,
    deletedBy: string,
    options: { asAdmin?: boolean } = {},
  ): Promise<void> {
    this.team(teamId)
    // no lock: a second delete of the same message is dropped by apply (MESSAGE_NOT_FOUND)
    const message = await this.getMessage(teamId, channel, id)
    if (!message) throw new ApiError('MESSAGE_NOT_FOUND', 'Message not found')
    if (!options.asAdmin && message.sender !== deletedBy) {
      throw new ApiError('FORBIDDEN', 'Only the author or an admin may delete a message')
    }
    await this.appendEnvelope(
      sealContent(this.keys, { type: OpType.Delete, channel, ref: id, body: { by: deletedBy } }),
    )
  }

  // ---- acks ----

  ack(teamId: string, channel: string, sender: string, lastReadId: string): Promise<Ack> {
    this.team(teamId)
    return writeAck(this, channel, sender, lastReadId)
  }

  async listAcks(teamId: string, channel: string): Promise<Ack[]> {
    this.team(teamId)
    return listAcks(this, channel)
  }

  async readUnread(teamId: string, channel: string, sender: string, limit: number): Promise<MessagePage> {
    this.team(teamId)
    return readUnread(this, channel, sender, limit)
  }

  // ---- status ----

  async setStatus(teamId: string, channel: string, key: string, value: string, by: string): Promise<Status> {
    this.team(teamId)
    return setStatus(this, channel, key, value, by)
  }

  async getStatus(teamId: string, channel: string, key?: string): Promise<Status[]> {
    this.team(teamId)
    return getStatus(this, channel, key)
  }

  async deleteStatus(teamId: string, channel: string, key: string, by: string): Promise<void> {
    this.team(teamId)
    await deleteStatus(this, channel, key, by)
  }

  async readStatusChanges(teamId: string, channel: string, query: PageQuery): Promise<StatusChangePage> {
    this.team(teamId)
    return readChangePage(this.reader, channel, query)
  }

  // ---- stream ----

  async subscribe(
    teamId: string,
    channel: string,
    lastEventId: string | null,
    onEvent: (event: StreamEvent) => void | Promise<void>,
  ): Promise<StreamSubscription> {
    this.team(teamId)
    return subscribeChannel(this, channel, lastEventId, onEvent)
  }

  /** The raw channel record (for the stream and status). */
  async channelRecord(name: string): Promise<ChannelRecord | null> {
    return this.reader.get<ChannelRecord>(channelKey(name))
  }
}
