// Routes that depend on the server kind. The store is the relay's real RedisStore seen through a
// proxy that only changes `kind` (no node store exists in this part of the tree) and hides the
// optional team settings, as a store without them would.
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { HandoffStore } from '../../api/store.js'
import { buildApiServer } from '../app.js'
import { call, startApi, type TestApi } from './helpers.js'

let api: TestApi
let node: FastifyInstance
beforeAll(async () => {
  api = await startApi()
  const asNode = new Proxy(api.store, {
    get(target, prop, receiver) {
      if (prop === 'kind') return 'node'
      if (prop === 'getTeamSettings' || prop === 'updateTeamSettings') return undefined
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as HandoffStore
  node = await buildApiServer(asNode, { logger: false, rateLimit: false })
})
afterAll(async () => {
  await node.close()
  await api.close()
})

it('a node answers signup with a 404 that explains how teams are made', async () => {
  const res = await call(node, {
    method: 'POST',
    url: '/api/signup',
    body: { team_name: 't', sender_name: 's' },
  })
  expect(res).toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } })
  expect(res.json.error).toMatch(/handoff node/)
  // probes do not claim Redis on a node
  expect((await call(node, { url: '/readyz' })).json).toEqual({ status: 'ok' })
})

it('a store without team settings has no settings routes (404, never a 5xx)', async () => {
  expect(await call(node, { url: '/api/team/settings', key: api.key })).toMatchObject({
    status: 404,
    json: { code: 'NOT_FOUND' },
  })
})
