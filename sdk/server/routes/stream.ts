// GET /api/channels/{ch}/stream: Server-Sent Events. Resumes after `Last-Event-ID` (header) or
// `?last_event_id=`; ends at once when the key is revoked or loses read access; at most
// `maxPerKey` open streams per key.
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../api/errors.js'
import { CURSOR_RE, canonicalCursor, channelParams, streamQuery } from '../../api/schemas.js'
import type { ApiContext } from '../context.js'
import { hasPermission } from '../permissions.js'
import { route } from '../route.js'
import { serveSse } from '../serve-sse.js'
import type { SseWriterOptions } from '../sse.js'

export function streamRoutes(app: FastifyInstance, api: ApiContext, writerOptions: SseWriterOptions): void {
  const { store } = api

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
      const { channel } = params
      await serveSse(api, {
        request,
        reply,
        principal,
        writer: writerOptions,
        mayRead: (permissions) => hasPermission(permissions, channel, 'read'),
        forbidden: 'Insufficient permissions for this channel',
        subscribe: (send, lost) => store.subscribe(principal.teamId, channel, lastEventId, send, lost),
      })
    },
  )
}
