// How the client opens a channel's stream: a Subscription wired to the client's transport and
// decoders, with the stream defaults, and the handler-style helpers (`on`, `onEvent`) on top.
import type { MessagePage } from '../api/types.js'
import { resolveRetry } from './backoff.js'
import type { RecordCodec } from './codec.js'
import { path, type Transport } from './http.js'
import { Subscription } from './subscription.js'
import type { EventHandlers, SubscribeOptions, Unsubscribe } from './types.js'

/** Servers send a heartbeat at least every 15 s: three missed ones mean the connection is dead. */
const IDLE_TIMEOUT_MS = 45_000
const MAX_RECONNECT_DELAY_MS = 10_000

export function openSubscription(
  transport: Transport,
  codec: RecordCodec,
  channel: string,
  options: SubscribeOptions = {},
): Subscription {
  const sub = new Subscription({
    transport,
    channel,
    decoders: { message: (m) => codec.message(m), statusChange: (c) => codec.statusChange(c) },
    lastEventId: options.last_event_id,
    reconnect:
      options.reconnect === false
        ? false
        : resolveRetry({ maxDelayMs: MAX_RECONNECT_DELAY_MS, ...options.reconnect }),
    signal: options.signal,
    baseline: (signal) => newestMessageId(transport, channel, signal),
    idleTimeoutMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
  })
  if (options.onError) sub.on('error', options.onError)
  return sub
}

/** The newest message id, undecoded on purpose (only the id is needed). */
async function newestMessageId(transport: Transport, channel: string, signal: AbortSignal) {
  const url = path`/api/channels/${channel}/messages`
  const page = await transport.request<MessagePage>('GET', url, { query: { limit: 1 }, signal })
  return page.messages.at(-1)?.id
}

/** Attach a message handler, or per-type event handlers, then start streaming. */
export function listen(sub: Subscription, handlers: EventHandlers): Unsubscribe {
  if (typeof handlers === 'function') {
    sub.on('event', handlers)
  } else {
    if (handlers.message) sub.on('message', handlers.message)
    if (handlers.delete) sub.on('delete', handlers.delete)
    if (handlers.status) sub.on('status', handlers.status)
    if (handlers.ack) sub.on('ack', handlers.ack)
  }
  void sub.connect()
  return Object.assign(() => sub.close(), { subscription: sub, ready: () => sub.ready() })
}
