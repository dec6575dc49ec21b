// One Server-Sent Events response from start to end, for the API's channel stream and for a
// server's own stream routes (the relay's node sync): a slot of the key's stream limit, the
// hijacked reply and its writer, the end on shutdown, the end when the key is revoked or loses
// access, the subscription, and its errors. One place, so the streams cannot drift apart.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../api/errors.js'
import type { HandoffStore, Principal, StreamSubscription } from '../api/store.js'
import type { Permissions, StreamEvent } from '../api/types.js'
import { toApiError } from './errors.js'
import { SseWriter, type SseWriterOptions } from './sse.js'
import type { StreamRegistry } from './streams.js'

export interface ServeSseOptions {
  request: FastifyRequest
  reply: FastifyReply
  principal: Principal
  /** the stream-limit slot (default the key id; a suffixed id gives a route a limit of its own) */
  slot?: string
  writer: SseWriterOptions
  /** whether the key may still read this stream after its permissions changed */
  mayRead: (permissions: Permissions) => boolean
  /** the FORBIDDEN message when it may not */
  forbidden: string
  /**
   * Open the store subscription: `send` writes one event, `lost` ends the stream with a last
   * `error` event (the client resumes from the last id instead of waiting silently).
   */
  subscribe: (
    send: (event: StreamEvent) => Promise<void>,
    lost: (err: unknown) => void,
  ) => Promise<StreamSubscription>
}

export interface SseDeps {
  store: Pick<HandoffStore, 'watchKeys'>
  streams: Pick<StreamRegistry, 'acquire' | 'add'>
}

/** Serve one stream; throws (before anything is sent) 429 SSE_LIMIT_REACHED when no slot is left. */
export async function serveSse(deps: SseDeps, options: ServeSseOptions): Promise<void> {
  const { request, reply, principal } = options
  // on every instance, with shared slots
  const lease = await deps.streams.acquire(principal.teamId, options.slot ?? principal.keyId)

  reply.hijack()
  const writer = new SseWriter(reply.raw, options.writer)
  // ended with a final `shutdown` event when the server closes; the lease goes with it
  deps.streams.add(writer, lease)

  const unwatch = deps.store.watchKeys(principal.teamId, (change) => {
    if (change.keyId !== principal.keyId) return
    if (change.type === 'revoked') writer.fail(new ApiError('INVALID_API_KEY', 'API key revoked'))
    else if (!options.mayRead(change.permissions)) writer.fail(new ApiError('FORBIDDEN', options.forbidden))
  })
  writer.onClose(unwatch)

  let subscription: StreamSubscription
  try {
    subscription = await options.subscribe(
      (event) => writer.send(event),
      (err) => {
        const apiError = toApiError(err)
        if (!apiError || apiError.status >= 500) request.log.warn({ err }, 'stream subscription lost')
        writer.fail(apiError ?? new ApiError('UNAVAILABLE', 'Storage is unavailable, retry shortly'))
      },
    )
  } catch (err) {
    // a 4xx (a cursor the store refuses) is the client's, not worth an error line
    const apiError = toApiError(err)
    if (!apiError || apiError.status >= 500) request.log.error({ err }, 'stream subscription failed')
    writer.fail(apiError ?? new ApiError('INTERNAL_ERROR', 'Internal server error'))
    return
  }
  const close = () => {
    subscription.close().catch((err) => request.log.error({ err }, 'closing a stream subscription failed'))
  }
  if (writer.isEnded) close()
  else {
    writer.onClose(close)
    writer.start()
  }
}
