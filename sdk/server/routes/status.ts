// Shared key/value status per channel, its change log, and the cross-channel view.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { ApiError } from '../../api/errors.js'
import * as R from '../../api/responses.js'
import {
  CHANNEL_NAME_RE,
  channelParams,
  crossStatusQuery,
  isEncryptedContent,
  pageQuery,
  setStatusBody,
  statusKeyParams,
  statusQuery,
} from '../../api/schemas.js'
import type { ApiContext } from '../context.js'
import { hasPermission } from '../permissions.js'
import { route } from '../route.js'

export function statusRoutes(app: FastifyInstance, api: ApiContext): void {
  const { store } = api

  for (const method of ['PUT', 'POST'] as const) {
    route(
      app,
      api,
      {
        method,
        url: '/api/channels/:channel/status',
        response: R.status,
        summary: method === 'PUT' ? 'Set a status key' : 'Set a status key (alias of PUT, as the seed)',
        access: { kind: 'channel', level: 'write' },
        params: channelParams,
        body: setStatusBody,
      },
      ({ principal, params, body }) => {
        if (api.options.encryptionRequired && !isEncryptedContent(body.value)) {
          throw new ApiError('ENCRYPTION_REQUIRED', 'This team requires end-to-end-encrypted status values')
        }
        return store.setStatus(principal.teamId, params.channel, body.key, body.value, principal.sender)
      },
    )
  }

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels/:channel/status',
      response: z.array(R.status),
      summary: 'The status entries of a channel (key)',
      access: { kind: 'channel', level: 'read' },
      params: channelParams,
      query: statusQuery,
    },
    ({ principal, params, query }) => store.getStatus(principal.teamId, params.channel, query.key),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels/:channel/status/changes',
      response: R.statusChangePage,
      summary: 'The status change log (after_id, limit)',
      access: { kind: 'channel', level: 'read' },
      params: channelParams,
      query: pageQuery,
    },
    ({ principal, params, query }) =>
      store.readStatusChanges(principal.teamId, params.channel, {
        after_id: query.after_id ?? null,
        limit: query.limit ?? 50,
      }),
  )

  route(
    app,
    api,
    {
      method: 'DELETE',
      url: '/api/channels/:channel/status/:key',
      summary: 'Delete a status key (channel admin, as the seed); recorded as a change',
      access: { kind: 'channel', level: 'admin' },
      params: statusKeyParams,
      status: 204,
    },
    ({ principal, params }) =>
      store.deleteStatus(principal.teamId, params.channel, params.key, principal.sender),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/status',
      response: z.array(R.status),
      summary: 'Status entries across the channels this key may read (channel, key)',
      access: { kind: 'key' },
      query: crossStatusQuery,
    },
    async ({ principal, query }) => {
      const readable = (name: string) =>
        CHANNEL_NAME_RE.test(name) && hasPermission(principal.permissions, name, 'read')
      // As the seed: a channel the key may not read is filtered out, not refused.
      const names =
        query.channel !== undefined
          ? [query.channel].filter(readable)
          : (await store.listChannels(principal.teamId)).map((c) => c.name).filter(readable)
      const lists = await Promise.all(names.map((name) => store.getStatus(principal.teamId, name, query.key)))
      return lists.flat()
    },
  )
}
