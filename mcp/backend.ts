// The narrow surface the MCP tools need from Handoff. The tools depend on this interface only, so
// the transport underneath (the SDK client over HTTP, to a relay or the local node) can change
// without touching a tool. Shapes are the wire types of SPEC section 3.
import type {
  Ack,
  AuditPage,
  Channel,
  CreateKeyResponse,
  KeyInfo,
  Message,
  MessagePage,
  Permissions,
  Status,
  StatusChangePage,
  ThreadPage,
} from '../sdk/api/types.js'
import type { WhoAmI } from '../sdk/client/index.js'

export interface PageOptions {
  after_id?: string | undefined
  limit?: number | undefined
}

export interface ReadOptions extends PageOptions {
  mention?: string | undefined
  sender?: string | undefined
  thread_id?: string | undefined
}

/** Who the API key is: GET /api/whoami, {sender, key_id, team_id, permissions}. */
export type Identity = WhoAmI

export interface Invite {
  code: string
  expires_at: string | null
}

export interface HandoffBackend {
  /** 'relay' or 'node': what this server is connected to */
  readonly kind: 'relay' | 'node'
  readonly apiUrl: string

  whoami(): Promise<Identity>

  createChannel(name: string, description?: string): Promise<Channel>
  listChannels(): Promise<Channel[]>
  deleteChannel(name: string): Promise<void>

  post(channel: string, content: string, options: { mention?: string; thread_id?: string }): Promise<Message>
  read(channel: string, options: ReadOptions): Promise<MessagePage>
  thread(channel: string, parentId: string, options: PageOptions): Promise<ThreadPage>
  deleteMessage(channel: string, id: string): Promise<void>
  unread(channel: string, options: { limit?: number | undefined }): Promise<MessagePage>

  ack(channel: string, lastReadId: string): Promise<Ack>
  getAcks(channel: string): Promise<Ack[]>

  setStatus(channel: string, key: string, value: string): Promise<Status>
  getStatus(options: { channel?: string | undefined; key?: string | undefined }): Promise<Status[]>
  deleteStatus(channel: string, key: string): Promise<void>
  getStatusChanges(channel: string, options: PageOptions): Promise<StatusChangePage>

  createKey(senderName: string, permissions?: Permissions): Promise<CreateKeyResponse>
  listKeys(): Promise<KeyInfo[]>
  updateKeyPermissions(keyId: string, permissions: Permissions): Promise<unknown>
  revokeKey(keyId: string): Promise<void>
  audit(options: PageOptions & { result?: string | undefined }): Promise<AuditPage>

  /**
   * Deliver every message posted to `channel` from now on to `onMessage`, until `signal` aborts.
   * Resolves once the stream is connected, so a read made after that plus the watch together
   * miss nothing; rejects if it cannot connect (unknown key, no access). `onError` reports an
   * end that reconnecting cannot fix.
   */
  watch(
    channel: string,
    onMessage: (message: Message) => void,
    onError: (err: Error) => void,
    signal: AbortSignal,
  ): Promise<void>

  /** Node only: a one-time invite code for a new member. */
  invite?(name: string, role: 'member' | 'admin' | 'reader'): Promise<Invite>
  /** Node only: peers, relay state, log lengths, sync lag. */
  syncStatus?(): Promise<Record<string, unknown>>

  close(): Promise<void>
}
