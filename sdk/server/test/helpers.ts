// Full-stack helpers: the API over the relay's RedisStore on the private test Redis.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { inject } from 'vitest'
import { RedisStore } from '../../../relay/store/redis-store.js'
import { buildApiServer } from '../app.js'
import type { ApiServerOptions } from '../options.js'

export interface TestApi {
  app: FastifyInstance
  store: RedisStore
  /** the admin key of a fresh team */
  key: string
  close(): Promise<void>
}

export const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`

export async function startApi(options: ApiServerOptions = {}): Promise<TestApi> {
  const store = await RedisStore.connect({ url: inject('redisUrl') })
  const app = await buildApiServer(store, { logger: false, rateLimit: false, ...options })
  await app.ready()
  const { api_key } = await store.signup(unique('team'), 'alice')
  return {
    app,
    store,
    key: api_key,
    async close() {
      await app.close()
      await store.close()
    },
  }
}

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  key?: string
  body?: unknown
  headers?: Record<string, string>
}

/** One request through fastify.inject; `json` is the parsed body (undefined when empty). */
export async function call(app: FastifyInstance, c: Call) {
  const headers: Record<string, string> = { ...c.headers }
  if (c.key) headers.authorization = `Bearer ${c.key}`
  let payload: string | undefined
  if (c.body !== undefined) {
    payload = typeof c.body === 'string' ? c.body : JSON.stringify(c.body)
    headers['content-type'] ??= 'application/json'
  }
  const res = await app.inject({
    method: c.method ?? 'GET',
    url: c.url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  })
  const json = res.body ? (JSON.parse(res.body) as any) : undefined
  return { status: res.statusCode, json, headers: res.headers }
}
