// Channels: create (team admin), list (what the key may read), delete (channel admin).

import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import * as R from '../../api/responses.js'
import { channelParams, createChannelBody } from '../../api/schemas.js'
import type { ApiContext } from '../context.js'
import { hasPermission } from '../permissions.js'
import { route } from '../route.js'

export function channelRoutes(app: FastifyInstance, api: ApiContext): void {
  const { store } = api

  route(
    app,
    api,
    {
      method: 'POST',
      url: '/api/channels',
      response: R.channel,
      summary: 'Create a channel: 201, or 200 with the existing one',
      access: { kind: 'team', level: 'admin' },
      body: createChannelBody,
      status: 201,
    },
    async ({ principal, body, reply }) => {
      const { channel, created } = await store.createChannel(
        principal.teamId,
        body.name,
        body.description ?? null,
      )
      reply.code(created ? 201 : 200)
      return channel
    },
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels',
      response: z.array(R.channel),
      summary: 'The channels this key may read',
      access: { kind: 'key' },
    },
    async ({ principal }) => {
      const channels = await store.listChannels(principal.teamId)
      return channels.filter((c) => hasPermission(principal.permissions, c.name, 'read'))
    },
  )

  route(
    app,
    api,
    {
      method: 'DELETE',
      url: '/api/channels/:channel',
      summary: 'Delete a channel and all its data',
      access: { kind: 'channel', level: 'admin' },
      params: channelParams,
      status: 204,
    },
    ({ principal, params }) => store.deleteChannel(principal.teamId, params.channel),
  )
}
