// Read receipts: ack, the acks of a channel, and this sender's unread messages.

import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import * as R from '../../api/responses.js'
import { ackBody, channelParams, unreadQuery } from '../../api/schemas.js'
import type { ApiContext } from '../context.js'
import { route } from '../route.js'

export function ackRoutes(app: FastifyInstance, api: ApiContext): void {
  const { store } = api

  route(
    app,
    api,
    {
      method: 'POST',
      url: '/api/channels/:channel/ack',
      response: R.ack,
      summary: 'Mark messages read up to last_read_id',
      access: { kind: 'channel', level: 'write' },
      params: channelParams,
      body: ackBody,
    },
    ({ principal, params, body }) =>
      store.ack(principal.teamId, params.channel, principal.sender, body.last_read_id),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels/:channel/acks',
      response: z.array(R.ack),
      summary: 'The ack of every sender of the channel',
      access: { kind: 'channel', level: 'read' },
      params: channelParams,
    },
    ({ principal, params }) => store.listAcks(principal.teamId, params.channel),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels/:channel/unread',
      response: R.messagePage,
      summary: "Messages after this sender's last ack, not counting its own (limit)",
      access: { kind: 'channel', level: 'read' },
      params: channelParams,
      query: unreadQuery,
    },
    ({ principal, params, query }) =>
      store.readUnread(principal.teamId, params.channel, principal.sender, query.limit ?? 50),
  )
}
