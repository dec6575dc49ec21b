// State shared by the routes of one API instance, and the request decoration they rely on.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { HandoffStore, Principal } from '../api/store.js'
import type { KeyLimit } from './key-limit.js'
import type { ApiOptions } from './options.js'
import type { RouteDoc } from './route.js'
import type { StreamRegistry } from './streams.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the auth hook of authenticated routes; null on public ones */
    principal: Principal | null
    /** set by a counting route's access hook when the store write is to check the key and count (route.ts) */
    countInWrite: boolean
  }
}

export interface ApiContext {
  store: HandoffStore
  options: ApiOptions
  /** every route, for GET /api and the OpenAPI document */
  routes: RouteDoc[]
  streams: StreamRegistry
  /** the rate limiter as a hook (absent when limiting is off); see route.ts for why it is called early */
  limit?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /** set when the store counts authenticated requests itself (RateLimitOptions.countInStore) */
  keyLimit?: KeyLimit
}
