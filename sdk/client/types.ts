// The client's own types: constructor and method options, and the seed's result names
// (ReadResult, ThreadResult) kept as aliases of the shared wire shapes.
import type { Ack, Message, MessagePage, Permissions, StatusChange, ThreadPage } from '../api/types.js'
import type { RetryOptions } from './backoff.js'
import type { ClientMessage, ClientStatusChange } from './codec.js'
import type { FetchLike } from './http.js'
import type { EncryptionKey } from './team-keys.js'

export type ReadResult = MessagePage
export type ThreadResult = ThreadPage

export interface HandoffOptions {
  /** the relay (https://relay.example) or the local node (http://127.0.0.1:7420) */
  apiUrl: string
  apiKey: string
  encryptionKey?: EncryptionKey
  /** a fetch implementation (default: the global one) */
  fetch?: FetchLike
  /** retries of failed requests; false disables them */
  retry?: RetryOptions | false
  /** aborts every request and stream of this client */
  signal?: AbortSignal
}

/** Every method takes these last; methods with an options object take them in it. */
export interface RequestOptions {
  signal?: AbortSignal
}

export interface PostOptions extends RequestOptions {
  mention?: string
  thread_id?: string
}

export interface PageOptions extends RequestOptions {
  after_id?: string
  limit?: number
}

export interface ReadOptions extends PageOptions {
  mention?: string
  sender?: string
  thread_id?: string
}

export type StatusChangesOptions = PageOptions

export interface SubscribeOptions extends RequestOptions {
  /** resume after this event id (the seed's option) */
  last_event_id?: string
  /** reconnect backoff; false: do not reconnect, as the seed did */
  reconnect?: RetryOptions | false
  /**
   * reconnect when no byte arrives for this long (default 45 s: servers send a heartbeat at
   * least every 15 s)
   */
  idleTimeoutMs?: number
  /** called with stream errors (failed reconnects, handler exceptions) */
  onError?: (error: Error) => void
}

export interface DeleteEventData {
  id: string
  channel: string
  thread_id: string | null
  deleted_by: string
}

/** A stream event, as `onEvent` handlers receive it (message and status already decrypted). */
export type ChannelEvent =
  | { type: 'message'; id: string; data: Message }
  | { type: 'delete'; id: string; data: DeleteEventData }
  | { type: 'status'; id: string; data: StatusChange }
  | { type: 'ack'; id: string; data: Ack }

export type MessageHandler = (message: Message) => void | Promise<void>
export type EventHandler = (event: ChannelEvent) => void | Promise<void>

/** `on()`'s return: call it to unsubscribe; it also exposes the subscription behind it. */
export interface Unsubscribe {
  (): void
  subscription: import('./subscription.js').Subscription
  /** resolves once the stream is open */
  ready(): Promise<void>
}

export interface ClientReadResult {
  messages: ClientMessage[]
  next_after_id: string
  has_more: boolean
  channel: string
}

export interface ClientThreadResult {
  parent: ClientMessage
  replies: ClientMessage[]
  next_after_id: string
  has_more: boolean
}

export interface ClientStatusChangePage {
  changes: ClientStatusChange[]
  next_after_id: string
  has_more: boolean
}

/** Handlers per event type for onEvent; or one function receiving every event. */
export type EventHandlers =
  | ((event: ChannelEvent) => void | Promise<void>)
  | {
      [K in ChannelEvent['type']]?: (data: Extract<ChannelEvent, { type: K }>['data']) => void | Promise<void>
    }

export interface SignupOptions extends RequestOptions {
  fetch?: FetchLike
  retry?: RetryOptions | false
}

/** GET /api/whoami: the calling key. */
export interface WhoAmI {
  sender: string
  key_id: string
  team_id: string
  permissions: Permissions
}
