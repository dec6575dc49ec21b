// GET /api/channels/{ch}/stream: Server-Sent Events. Resumes after `Last-Event-ID` (header) or
// `?last_event_id=`; ends at once when the key is revoked or loses read access; at most
// `maxPerKey` open streams per key.
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../api/errors.js'
import { CURSOR_RE, canonicalCursor, channelParams, streamQuery } from '../../api/schemas.js'
import type { StreamSubscription } from '../../api/store.js'
import type { ApiContext } from '../context.js'
import { toApiError } from '../errors.js'
import { hasPermission } from '../permissions.js'
import { route } from '../route.js'
import { SseWriter, type SseWriterOptions } from '../sse.js'

export function streamRoutes(app: FastifyInstance, api: ApiContext, writerOptions: SseWriterOptions): void {
  const { store, streams } = api

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels/:channel/stream',
      summary: 'Server-Sent Events: message, delete, status, ack (token, last_event_id)',
      access: { kind: 'channel', level: 'read' },
      params: channelParams,
      query: streamQuery,
      head: false,
    },
    async ({ principal, params, query, request, reply }) => {
      const header = request.headers['last-event-id']
      let lastEventId = query.last_event_id ?? null
      if (typeof header === 'string' && header !== '') {
        if (!CURSOR_RE.test(header)) throw new ApiError('INVALID_CURSOR', 'Invalid last_event_id format')
        lastEventId = canonicalCursor(header)
      }
      // 429 SSE_LIMIT_REACHED when the key has no slot left (on every instance, with shared slots)
      const lease = await streams.acquire(principal.teamId, principal.keyId)

      reply.hijack()
      const writer = new SseWriter(reply.raw, writerOptions)
      streams.add(writer, lease)
      const { channel } = params

      const unwatch = store.watchKeys(principal.teamId, (change) => {
        if (change.keyId !== principal.keyId) return
        if (change.type === 'revoked') writer.fail(new ApiError('INVALID_API_KEY', 'API key revoked'))
        else if (!hasPermission(change.permissions, channel, 'read')) {
          writer.fail(new ApiError('FORBIDDEN', 'Insufficient permissions for this channel'))
        }
      })
      writer.onClose(unwatch)

      let subscription: StreamSubscription
      try {
        subscription = await store.subscribe(
          principal.teamId,
          channel,
          lastEventId,
          (event) => writer.send(event),
          // storage lost: end with a last `error` event (with the last id, so the client resumes
          // without a gap) instead of a stream that silently delivers nothing
          (err) => {
            const apiError = toApiError(err)
            if (!apiError || apiError.status >= 500) request.log.warn({ err }, 'stream subscription lost')
            writer.fail(apiError ?? new ApiError('UNAVAILABLE', 'Storage is unavailable, retry shortly'))
          },
        )
      } catch (err) {
        const apiError = toApiError(err)
        if (!apiError || apiError.status >= 500) request.log.error({ err }, 'stream subscription failed')
        writer.fail(apiError ?? new ApiError('INTERNAL_ERROR', 'Internal server error'))
        return
      }
      const close = () => {
        subscription
          .close()
          .catch((err) => request.log.error({ err }, 'closing a stream subscription failed'))
      }
      if (writer.isEnded) close()
      else {
        writer.onClose(close)
        writer.start()
      }
    },
  )
}
