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
import type { NodeKeys } from './keyring.js'
import type { LocalState } from './local-state.js'
import { apiIdOf, OpType, sealContent, senderTagOf } from './log/ops.js'
import type { TeamLog } from './log/team-log.js'
import { readMessagePage, readReplies } from './messages.js'
import { readChangePage } from './status-changes.js'
import { subscribeChannel } from './stream.js'
import { channelKey, doneKey, droppedKey } from './view/keys.js'
import { compareIds, ViewReader } from './view/read.js'
import type { AckRecord, ChannelRecord, DroppedRecord, StatusRecord } from './view/records.js'

/** Reasons apply gives for dropping an operation, as the API's errors. */
const DROP_ERRORS: Array<[RegExp, ApiError]> = [
  [
    /thread parent/,
    new ApiError('THREAD_PARENT_NOT_FOUND', 'The message you are replying to does not exist'),
  ],
  [/message not found/, new ApiError('MESSAGE_NOT_FOUND', 'Message not found')],
  [/status not found/, new ApiError('STATUS_NOT_FOUND', 'Status key not found')],
  [/channel not found/, new ApiError('CHANNEL_NOT_FOUND', 'Channel not found')],
  [
    /author|admin|reader|member/,
    new ApiError('FORBIDDEN', 'This device may not make that change in the team'),
  ],
]

export class NodeStore extends EventEmitter implements HandoffStore {
  readonly kind = 'node' as const
  readonly reader: ViewReader
  private writing: Promise<unknown> = Promise.resolve()
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

  private tag(sender: string): string {
    return senderTagOf(this.keys.teamKey, sender)
  }

  /** Writes run one at a time, so a check and the append it guards are not interleaved. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(fn, fn)
    this.writing = run.catch(() => {})
    return run
  }

  /** Append one envelope; throws the API error matching apply's reason if it was dropped. */
  async appendEnvelope(envelope: Envelope): Promise<void> {
    if (!this.log.writable)
      throw new ApiError('UNAVAILABLE', 'This node is not a writer of its team yet', { retryAfter: 5 })
    await this.log.append(envelope.bytes)
    this.emit('change')
    const id = envelope.id.toString('hex')
    if (await this.reader.get(doneKey(id))) return
    const dropped = await this.reader.get<DroppedRecord>(droppedKey(id))
    const reason = dropped?.reason ?? 'not applied'
    for (const [re, error] of DROP_ERRORS) if (re.test(reason)) throw new ApiError(error.code, error.message)
    throw new ApiError('UNAVAILABLE', `The operation was not applied: ${reason}`)
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
    return this.serial(async () => {
      const existing = await this.reader.channel(name)
      if (existing) return { channel: this.reader.toChannel(name, existing.record), created: false }
      await this.appendEnvelope(
        sealContent(this.keys, { type: OpType.ChannelCreate, channel: name, body: { description } }),
      )
      const made = await this.reader.channel(name)
      if (!made) throw new ApiError('UNAVAILABLE', 'The channel was not created')
      return { channel: this.reader.toChannel(name, made.record), created: true }
    })
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
    })
  }

  // ---- messages ----

  async postMessage(teamId: string, channel: string, sender: string, message: NewMessage): Promise<Message> {
    this.team(teamId)
    return this.serial(async () => {
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
        ref: this.tag(sender),
        body: { content: message.content, sender },
      })
      await this.appendEnvelope(envelope)
      const posted = await this.getMessage(teamId, channel, apiIdOf(envelope))
      if (!posted) throw new ApiError('UNAVAILABLE', 'The message was not stored')
      return posted
    })
  }

  async getMessage(teamId: string, channel: string, id: string): Promise<Message | null> {
    this.team(teamId)
    const ch = await this.reader.channel(channel)
    const found = ch ? await this.reader.messageById(ch.space, id) : null
    return found ? this.reader.toMessage(channel, found.record) : null
  }

  async readMessages(teamId: string, channel: string, query: MessageQuery): Promise<MessagePage> {
    this.team(teamId)
    return readMessagePage(this.reader, channel, query, query.sender ? this.tag(query.sender) : null, null)
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
    await this.serial(async () => {
      const message = await this.getMessage(teamId, channel, id)
      if (!message) throw new ApiError('MESSAGE_NOT_FOUND', 'Message not found')
      if (!options.asAdmin && message.sender !== deletedBy) {
        throw new ApiError('FORBIDDEN', 'Only the author or an admin may delete a message')
      }
      await this.appendEnvelope(
        sealContent(this.keys, { type: OpType.Delete, channel, ref: id, body: { by: deletedBy } }),
      )
    })
  }

  // ---- acks ----

  private async currentAck(channel: string, sender: string): Promise<Ack | null> {
    const ch = await this.reader.channel(channel)
    const record = ch ? await this.reader.get<AckRecord>(ch.space.ack(this.tag(sender))) : null
    return record ? this.reader.toAck(channel, record.env) : null
  }

  async ack(teamId: string, channel: string, sender: string, lastReadId: string): Promise<Ack> {
    this.team(teamId)
    return this.serial(async () => {
      const id = lastReadId === '0' ? '0-0' : lastReadId
      const current = await this.currentAck(channel, sender)
      // as the seed, a sender's watermark never moves backwards
      if (current && compareIds(current.last_read_id, id) >= 0) return current
      await this.appendEnvelope(
        sealContent(this.keys, {
          type: OpType.Ack,
          channel,
          ref: this.tag(sender),
          body: { sender, last_read_id: id },
        }),
      )
      return (
        (await this.currentAck(channel, sender)) ?? {
          channel,
          sender,
          last_read_id: id,
          acked_at: new Date().toISOString(),
        }
      )
    })
  }

  async listAcks(teamId: string, channel: string): Promise<Ack[]> {
    this.team(teamId)
    const ch = await this.reader.channel(channel)
    if (!ch) return []
    const out: Ack[] = []
    for await (const { value } of this.reader.range<AckRecord>(ch.space.acks)) {
      const ack = this.reader.toAck(channel, value.env)
      if (ack) out.push(ack)
    }
    return out.sort((a, b) => (a.sender < b.sender ? -1 : a.sender > b.sender ? 1 : 0))
  }

  async readUnread(teamId: string, channel: string, sender: string, limit: number): Promise<MessagePage> {
    this.team(teamId)
    const ack = await this.currentAck(channel, sender)
    const query = { after_id: ack?.last_read_id ?? '0-0', limit }
    return readMessagePage(this.reader, channel, query, null, this.tag(sender))
  }

  // ---- status ----

  async setStatus(teamId: string, channel: string, key: string, value: string, by: string): Promise<Status> {
    this.team(teamId)
    return this.serial(async () => {
      const envelope = sealContent(this.keys, {
        type: OpType.StatusSet,
        channel,
        ref: key,
        body: { key, value, by },
      })
      await this.appendEnvelope(envelope)
      const status = this.reader.toStatus(channel, envelope.bytes.toString('base64'))
      if (!status) throw new ApiError('UNAVAILABLE', 'The status was not stored')
      return status
    })
  }

  async getStatus(teamId: string, channel: string, key?: string): Promise<Status[]> {
    this.team(teamId)
    const ch = await this.reader.channel(channel)
    if (!ch) return []
    if (key !== undefined) {
      const record = await this.reader.get<StatusRecord>(ch.space.status(key))
      const status = record ? this.reader.toStatus(channel, record.env) : null
      return status ? [status] : []
    }
    const out: Status[] = []
    for await (const { value } of this.reader.range<StatusRecord>(ch.space.statuses)) {
      const status = this.reader.toStatus(channel, value.env)
      if (status) out.push(status)
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  async deleteStatus(teamId: string, channel: string, key: string, by: string): Promise<void> {
    this.team(teamId)
    await this.serial(async () => {
      const ch = await this.reader.channel(channel)
      if (!ch || !(await this.reader.get<StatusRecord>(ch.space.status(key)))) {
        throw new ApiError('STATUS_NOT_FOUND', 'Status key not found')
      }
      await this.appendEnvelope(
        sealContent(this.keys, { type: OpType.StatusDelete, channel, ref: key, body: { key, by } }),
      )
    })
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
