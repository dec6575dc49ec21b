// Public routes: probes, signup (relay only), the endpoint list and the OpenAPI document.

import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../api/errors.js'
import * as R from '../../api/responses.js'
import { LIMITS, signupBody } from '../../api/schemas.js'
import type { ApiContext } from '../context.js'
import { openApiDocument } from '../openapi.js'
import { type Access, route } from '../route.js'

const open: Access = { kind: 'public' }

export function healthRoutes(
  app: FastifyInstance,
  api: ApiContext,
  signupRateLimit: Record<string, unknown>,
): void {
  const { store } = api

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/healthz',
      response: R.probe,
      summary: 'Liveness probe',
      access: open,
      rateLimit: false,
    },
    async () => ({
      status: 'ok',
    }),
  )

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/readyz',
      response: R.probe,
      summary: 'Readiness probe (503 until the storage answers)',
      access: open,
      rateLimit: false,
    },
    async ({ reply }) => {
      const ready = await store.isReady().catch(() => false)
      reply.code(ready ? 200 : 503)
      const body: Record<string, string> = { status: ready ? 'ok' : 'unavailable' }
      if (store.kind === 'relay') body.redis = ready ? 'connected' : 'disconnected'
      return body
    },
  )

  if (store.kind === 'relay') {
    route(
      app,
      api,
      {
        method: 'POST',
        url: '/api/signup',
        response: R.signupResponse,
        summary: 'Create a team and its first (admin) key',
        access: open,
        body: signupBody,
        status: 201,
        rateLimit: signupRateLimit,
      },
      ({ body }) => store.signup(body.team_name, body.sender_name),
    )
  } else {
    route(
      app,
      api,
      { method: 'POST', url: '/api/signup', summary: 'Relay only: a node answers 404', access: open },
      async () => {
        throw new ApiError(
          'NOT_FOUND',
          'Signup is not available on a local node: `handoff node` creates its team; join another with `handoff join`',
        )
      },
    )
  }

  route(
    app,
    api,
    { method: 'GET', url: '/api', summary: 'This list of endpoints', access: open },
    async () => ({
      name: 'handoff',
      version: api.options.version ?? '2.0.0',
      server: store.kind,
      endpoints: api.routes.map((r) => ({
        method: r.method,
        path: r.url.replace(/:(\w+)/g, '{$1}'),
        description: r.summary,
        ...(r.access.kind === 'public' ? { auth: false } : {}),
      })),
      limits: {
        message_content: `${LIMITS.contentBytes} bytes`,
        status_key: `${LIMITS.statusKeyBytes} chars`,
        status_value: `${LIMITS.statusValueBytes} bytes`,
        channel_name: '1-64 chars: a-z, 0-9, dots, hyphens, underscores',
      },
    }),
  )

  route(
    app,
    api,
    { method: 'GET', url: '/api/openapi.json', summary: 'This API as OpenAPI 3.1', access: open },
    async () => openApiDocument(api.routes, api.options.version ?? '2.0.0'),
  )
}
