// Team administration: API keys and the audit log. All need "*": "admin".

import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import * as R from '../../api/responses.js'
import { auditQuery, createKeyBody, keyIdParams, updatePermissionsBody } from '../../api/schemas.js'
import type { ApiContext } from '../context.js'
import { route } from '../route.js'

const admin = { kind: 'team', level: 'admin' } as const

export function keyRoutes(app: FastifyInstance, api: ApiContext): void {
  const { store } = api

  route(
    app,
    api,
    {
      method: 'POST',
      url: '/api/keys',
      response: R.createKeyResponse,
      summary: 'Create an API key (shown once)',
      access: admin,
      body: createKeyBody,
      status: 201,
    },
    ({ principal, body }) =>
      store.createKey(principal.teamId, body.sender_name, body.permissions ?? undefined),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/keys',
      response: z.array(R.keyInfo),
      summary: "List the team's keys (ids, never secrets)",
      access: admin,
    },
    ({ principal }) => store.listKeys(principal.teamId),
  )

  route(
    app,
    api,
    {
      method: 'PUT',
      url: '/api/keys/:key_id/permissions',
      response: R.keyPermissions,
      summary: "Replace a key's permissions; open streams are re-checked at once",
      access: admin,
      params: keyIdParams,
      body: updatePermissionsBody,
    },
    async ({ principal, params, body }) => {
      await store.updateKeyPermissions(principal.teamId, params.key_id, body.permissions)
      return { key: params.key_id, permissions: body.permissions }
    },
  )

  route(
    app,
    api,
    {
      method: 'DELETE',
      url: '/api/keys/:key_id',
      summary: 'Revoke a key at once, closing its open streams',
      access: admin,
      params: keyIdParams,
      status: 204,
    },
    ({ principal, params }) => store.revokeKey(principal.teamId, params.key_id),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/audit',
      response: R.auditPage,
      summary: 'Permission denials, newest first (after_id, limit, result)',
      access: admin,
      query: auditQuery,
    },
    ({ principal, query }) =>
      store.readAudit(principal.teamId, {
        after_id: query.after_id ?? null,
        limit: query.limit ?? 50,
        ...(query.result !== undefined ? { result: query.result } : {}),
      }),
  )
}
