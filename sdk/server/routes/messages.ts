// Messages and threads.

import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../api/errors.js'
import * as R from '../../api/responses.js'
import {
  channelParams,
  isEncryptedContent,
  messageParams,
  pageQuery,
  postMessageBody,
  readMessagesQuery,
} from '../../api/schemas.js'
import type { MessageQuery } from '../../api/store.js'
import type { ApiContext } from '../context.js'
import { hasPermission } from '../permissions.js'
import { route } from '../route.js'

export function messageRoutes(app: FastifyInstance, api: ApiContext): void {
  const { store } = api

  route(
    app,
    api,
    {
      method: 'POST',
      url: '/api/channels/:channel/messages',
      response: R.message,
      summary: 'Post a message (content, mention?, thread_id?)',
      access: { kind: 'channel', level: 'write' },
      params: channelParams,
      body: postMessageBody,
      status: 201,
      countsInStore: true,
    },
    ({ principal, params, body, count }) => {
      if (api.options.encryptionRequired && !isEncryptedContent(body.content)) {
        throw new ApiError('ENCRYPTION_REQUIRED', 'This team requires end-to-end-encrypted content')
      }
      return store.postMessage(
        principal.teamId,
        params.channel,
        principal.sender,
        { content: body.content, mention: body.mention || null, thread_id: body.thread_id ?? null },
        count ? { count, principal } : undefined,
      )
    },
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels/:channel/messages',
      response: R.messagePage,
      summary: 'Read a page of messages (after_id, limit, mention, sender, thread_id)',
      access: { kind: 'channel', level: 'read' },
      params: channelParams,
      query: readMessagesQuery,
    },
    ({ principal, params, query }) => {
      const q: MessageQuery = { after_id: query.after_id ?? null, limit: query.limit ?? 50 }
      if (query.mention !== undefined) q.mention = query.mention
      if (query.sender !== undefined) q.sender = query.sender
      if (query.thread_id !== undefined) q.thread_id = query.thread_id
      return store.readMessages(principal.teamId, params.channel, q)
    },
  )

  route(
    app,
    api,
    {
      method: 'DELETE',
      url: '/api/channels/:channel/messages/:id',
      summary: 'Delete a message (its author, or a channel admin)',
      access: { kind: 'channel', level: 'write' },
      params: messageParams,
      status: 204,
    },
    ({ principal, params }) =>
      // the store refuses (FORBIDDEN, audited by route()) a non-admin deleting someone else's message
      store.deleteMessage(principal.teamId, params.channel, params.id, principal.sender, {
        asAdmin: hasPermission(principal.permissions, params.channel, 'admin'),
      }),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/channels/:channel/threads/:id',
      response: R.threadPage,
      summary: 'Read a thread: its parent and a page of replies (after_id, limit)',
      access: { kind: 'channel', level: 'read' },
      params: messageParams,
      query: pageQuery,
    },
    ({ principal, params, query }) =>
      store.readThread(principal.teamId, params.channel, params.id, {
        after_id: query.after_id ?? null,
        limit: query.limit ?? 50,
      }),
  )
}
