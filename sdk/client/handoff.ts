// The client. Method names, arguments and results are handoff-sdk v1.3.2's, so code written for
// it runs unchanged; additions (signup, unread, deleteStatus, keys, audit, onEvent, iterators,
// AbortSignal on every call) are optional extras. Encryption, transport and the stream live in
// their own modules; each method here is one HTTP call and its decoding.
import type {
  Ack,
  AuditEntry,
  AuditPage,
  Channel,
  CreateKeyResponse,
  KeyInfo,
  Permissions,
  SignupResponse,
  Status,
  TeamSettings,
} from '../api/types.js'
import { resolveRetry } from './backoff.js'
import { type ClientMessage, type ClientStatus, type ClientStatusChange, RecordCodec } from './codec.js'
import { path, Transport } from './http.js'
import { paginate } from './pagination.js'
import { listen, openSubscription } from './streams.js'
import type { Subscription } from './subscription.js'
import type {
  ClientReadResult,
  ClientStatusChangePage,
  ClientThreadResult,
  EventHandlers,
  HandoffOptions,
  MessageHandler,
  PageOptions,
  PostOptions,
  ReadOptions,
  RequestOptions,
  SignupOptions,
  StatusChangesOptions,
  SubscribeOptions,
  Unsubscribe,
  WhoAmI,
} from './types.js'

const ch = (channel: string) => path`/api/channels/${channel}`

export class Handoff {
  /** true when the client encrypts content (an encryptionKey was given) */
  readonly encrypted: boolean
  private readonly transport: Transport
  private readonly codec: RecordCodec

  constructor(options: HandoffOptions) {
    if (!options?.apiUrl) throw new TypeError('apiUrl is required')
    this.transport = new Transport({
      apiUrl: options.apiUrl,
      apiKey: options.apiKey,
      retry: resolveRetry(options.retry),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    this.codec = new RecordCodec(options.encryptionKey)
    this.encrypted = this.codec.encrypted
  }

  /** Create a team on a relay; returns the team and its first admin key (shown once). */
  static async signup(
    apiUrl: string,
    teamName: string,
    senderName: string,
    options: SignupOptions = {},
  ): Promise<SignupResponse> {
    const transport = new Transport({
      apiUrl,
      retry: resolveRetry(options.retry),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
    return transport.request('POST', '/api/signup', {
      body: { team_name: teamName, sender_name: senderName },
      signal: options.signal,
    })
  }

  // ---- Channels ----

  createChannel(name: string, description?: string, options?: RequestOptions): Promise<Channel> {
    return this.transport.request('POST', '/api/channels', {
      body: { name, description },
      signal: options?.signal,
    })
  }

  listChannels(options?: RequestOptions): Promise<Channel[]> {
    return this.transport.request('GET', '/api/channels', { signal: options?.signal })
  }

  async deleteChannel(name: string, options?: RequestOptions): Promise<void> {
    await this.transport.request('DELETE', ch(name), { signal: options?.signal })
  }

  // ---- Messages and threads ----

  async post(channel: string, content: string, options?: PostOptions): Promise<ClientMessage> {
    const routing = { thread_id: options?.thread_id, mention: options?.mention }
    const sealed = await this.codec.sealMessage(channel, content, routing)
    const message = await this.transport.request<ClientMessage>('POST', `${ch(channel)}/messages`, {
      body: { content: sealed, ...routing },
      signal: options?.signal,
    })
    // Hand back what the caller wrote, not the ciphertext the server holds (as the seed did).
    return this.encrypted ? { ...message, content, encrypted: true } : message
  }

  reply(
    channel: string,
    threadId: string,
    content: string,
    options?: Omit<PostOptions, 'thread_id'>,
  ): Promise<ClientMessage> {
    return this.post(channel, content, { ...options, thread_id: threadId })
  }

  async read(channel: string, options?: ReadOptions): Promise<ClientReadResult> {
    const { signal, ...query } = options ?? {}
    const page = await this.transport.request<ClientReadResult>('GET', `${ch(channel)}/messages`, {
      query,
      signal,
    })
    return { ...page, messages: await this.codec.messages(page.messages) }
  }

  /** Every message of a channel (from the start, or after `after_id`), page by page. */
  messages(channel: string, options?: ReadOptions): AsyncGenerator<ClientMessage, void, undefined> {
    const { after_id, ...rest } = options ?? {}
    return paginate(
      (afterId) => this.read(channel, { ...rest, after_id: afterId }),
      (page) => page.messages,
      after_id,
    )
  }

  async thread(channel: string, parentId: string, options?: PageOptions): Promise<ClientThreadResult> {
    const { signal, ...query } = options ?? {}
    const url = `${ch(channel)}${path`/threads/${parentId}`}`
    const page = await this.transport.request<ClientThreadResult>('GET', url, { query, signal })
    return {
      ...page,
      parent: await this.codec.message(page.parent),
      replies: await this.codec.messages(page.replies),
    }
  }

  async deleteMessage(channel: string, messageId: string, options?: RequestOptions): Promise<void> {
    await this.transport.request('DELETE', `${ch(channel)}${path`/messages/${messageId}`}`, {
      signal: options?.signal,
    })
  }

  // ---- Live stream ----

  subscribe(channel: string, options?: SubscribeOptions): Subscription {
    return openSubscription(this.transport, this.codec, channel, options)
  }

  /** Call `handler` with each new message; returns a function that unsubscribes. */
  on(channel: string, handler: MessageHandler, options?: SubscribeOptions): Unsubscribe {
    return listen(this.subscribe(channel, options), { message: handler })
  }

  /** Call handlers for `message`, `delete`, `status` and `ack` events; returns an unsubscribe. */
  onEvent(channel: string, handlers: EventHandlers, options?: SubscribeOptions): Unsubscribe {
    return listen(this.subscribe(channel, options), handlers)
  }

  // ---- Acks ----

  ack(channel: string, lastReadId: string, options?: RequestOptions): Promise<Ack> {
    return this.transport.request('POST', `${ch(channel)}/ack`, {
      body: { last_read_id: lastReadId },
      signal: options?.signal,
    })
  }

  getAcks(channel: string, options?: RequestOptions): Promise<Ack[]> {
    return this.transport.request('GET', `${ch(channel)}/acks`, { signal: options?.signal })
  }

  /** Messages after this key's last ack, others' only. */
  async unread(channel: string, options?: { limit?: number } & RequestOptions): Promise<ClientReadResult> {
    const { signal, ...query } = options ?? {}
    const page = await this.transport.request<ClientReadResult>('GET', `${ch(channel)}/unread`, {
      query,
      signal,
    })
    return { ...page, messages: await this.codec.messages(page.messages) }
  }

  // ---- Status ----

  async setStatus(
    channel: string,
    key: string,
    value: string,
    options?: RequestOptions,
  ): Promise<ClientStatus> {
    const sealed = await this.codec.sealStatus(channel, key, value)
    const status = await this.transport.request<Status>('PUT', `${ch(channel)}/status`, {
      body: { key, value: sealed },
      signal: options?.signal,
    })
    return this.encrypted ? { ...status, value, encrypted: true } : status
  }

  async getStatus(options?: { channel?: string; key?: string } & RequestOptions): Promise<ClientStatus[]> {
    const url = options?.channel ? `${ch(options.channel)}/status` : '/api/status'
    const statuses = await this.transport.request<Status[]>('GET', url, {
      query: { key: options?.key },
      signal: options?.signal,
    })
    return Promise.all(statuses.map((s) => this.codec.status(s)))
  }

  async deleteStatus(channel: string, key: string, options?: RequestOptions): Promise<void> {
    await this.transport.request('DELETE', `${ch(channel)}${path`/status/${key}`}`, {
      signal: options?.signal,
    })
  }

  async getStatusChanges(channel: string, options?: StatusChangesOptions): Promise<ClientStatusChangePage> {
    const { signal, ...query } = options ?? {}
    const url = `${ch(channel)}/status/changes`
    const page = await this.transport.request<ClientStatusChangePage>('GET', url, { query, signal })
    return { ...page, changes: await Promise.all(page.changes.map((c) => this.codec.statusChange(c))) }
  }

  /** Every status change of a channel, oldest first, page by page. */
  statusChanges(
    channel: string,
    options?: StatusChangesOptions,
  ): AsyncGenerator<ClientStatusChange, void, undefined> {
    const { after_id, ...rest } = options ?? {}
    return paginate(
      (afterId) => this.getStatusChanges(channel, { ...rest, after_id: afterId }),
      (page) => page.changes,
      after_id,
    )
  }

  // ---- Keys, permissions, audit (team admin) ----

  createKey(
    senderName: string,
    permissions?: Permissions,
    options?: RequestOptions,
  ): Promise<CreateKeyResponse> {
    return this.transport.request('POST', '/api/keys', {
      body: { sender_name: senderName, permissions },
      signal: options?.signal,
    })
  }

  listKeys(options?: RequestOptions): Promise<KeyInfo[]> {
    return this.transport.request('GET', '/api/keys', { signal: options?.signal })
  }

  updateKeyPermissions(
    keyId: string,
    permissions: Permissions,
    options?: RequestOptions,
  ): Promise<{ key: string; permissions: Permissions }> {
    return this.transport.request('PUT', `${path`/api/keys/${keyId}`}/permissions`, {
      body: { permissions },
      signal: options?.signal,
    })
  }

  /** Revoke a key at once; its open streams are closed by the server. */
  async revokeKey(keyId: string, options?: RequestOptions): Promise<void> {
    await this.transport.request('DELETE', path`/api/keys/${keyId}`, { signal: options?.signal })
  }

  /** Who this client's key is: sender name, key id, team id and permissions. */
  whoami(options?: RequestOptions): Promise<WhoAmI> {
    return this.transport.request('GET', '/api/whoami', { signal: options?.signal })
  }

  /** The team's settings (relay only; a node always encrypts). */
  getTeamSettings(options?: RequestOptions): Promise<TeamSettings> {
    return this.transport.request('GET', '/api/team/settings', { signal: options?.signal })
  }

  /** `encryption_required: true` makes the relay refuse plaintext content and status values. */
  updateTeamSettings(settings: Partial<TeamSettings>, options?: RequestOptions): Promise<TeamSettings> {
    return this.transport.request('PUT', '/api/team/settings', { body: settings, signal: options?.signal })
  }

  /** Permission denials, newest first. */
  audit(options?: PageOptions): Promise<AuditPage> {
    const { signal, ...query } = options ?? {}
    return this.transport.request('GET', '/api/audit', { query, signal })
  }

  /** Every audit entry, newest first, page by page. */
  auditEntries(options?: PageOptions): AsyncGenerator<AuditEntry, void, undefined> {
    const { after_id, ...rest } = options ?? {}
    // The audit log starts at the newest entry: no cursor means "from the top".
    return paginate(
      (afterId) => this.audit({ ...rest, after_id: afterId }),
      (page) => page.entries,
      after_id ?? '',
    )
  }
}

export default Handoff
