// A server's own routes (extraRoutes) get the API's pipeline: auth, rate limit, permission with
// audit, validation codes, error format, and a place in GET /api and the OpenAPI document.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { channelParams } from '../../api/schemas.js'
import { call, startApi, type TestApi } from './helpers.js'

let api: TestApi
beforeAll(async () => {
  api = await startApi({
    rateLimit: { max: 5, timeWindow: 60_000 },
    extraRoutes: (app, helpers) => {
      helpers.route(
        {
          method: 'POST',
          url: '/api/channels/:channel/echo',
          summary: 'Echo (test route)',
          access: { kind: 'channel', level: 'write' },
          params: channelParams,
          body: z.object({ text: z.string().min(1) }),
        },
        async ({ principal, params, body }) => ({
          channel: params.channel,
          text: body.text,
          by: principal.sender,
        }),
      )
      app.get(
        '/api/plain',
        { onRequest: helpers.guard({ kind: 'team', level: 'admin' }) },
        async (request) => ({
          sender: request.principal?.sender,
        }),
      )
    },
  })
})
afterAll(() => api.close())

it('runs extra routes through the same pipeline', async () => {
  const ok = await call(api.app, {
    method: 'POST',
    url: '/api/channels/x/echo',
    key: api.key,
    body: { text: 'hi' },
  })
  expect(ok).toMatchObject({ status: 200, json: { channel: 'x', text: 'hi', by: 'alice' } })
  expect(
    await call(api.app, { method: 'POST', url: '/api/channels/x/echo', key: api.key, body: {} }),
  ).toMatchObject({
    status: 400,
    json: { code: 'MISSING_FIELDS' },
  })
  expect(
    await call(api.app, { method: 'POST', url: '/api/channels/X/echo', key: api.key, body: { text: 'a' } }),
  ).toMatchObject({
    status: 400,
    json: { code: 'INVALID_CHANNEL_NAME' },
  })
  expect((await call(api.app, { url: '/api/plain', key: api.key })).json).toEqual({ sender: 'alice' })
  expect(await call(api.app, { url: '/api/plain' })).toMatchObject({
    status: 401,
    json: { code: 'MISSING_API_KEY' },
  })
  // five requests of the key so far (max 5): the next is limited
  expect((await call(api.app, { url: '/api/plain', key: api.key })).status).toBe(200)
  expect(await call(api.app, { url: '/api/plain', key: api.key })).toMatchObject({
    status: 429,
    json: { code: 'RATE_LIMITED' },
  })

  const endpoints = (await call(api.app, { url: '/api' })).json.endpoints
  expect(endpoints).toContainEqual(
    expect.objectContaining({ method: 'POST', path: '/api/channels/{channel}/echo' }),
  )
})
