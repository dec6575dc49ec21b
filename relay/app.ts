// The relay: the shared HTTP/SSE API (sdk/server) over a RedisStore, plus the node-sync routes.
// Several relay instances may share one Redis: every piece of state, rate-limit counters
// included, lives there, and stream wake-ups and key changes travel by Redis pub/sub.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { buildApiServer } from '../sdk/server/index.js'
import type { SseOptions } from '../sdk/server/options.js'
import { quietCloser } from './quiet-close.js'
import { pairingRoutes } from './routes/pairing.js'
import { syncRoutes } from './routes/sync.js'
import type { Limits } from './store/context.js'
import { RedisStore } from './store/redis-store.js'

export interface RelayOptions {
  /** default redis://localhost:6379; with `redisCluster`, comma-separated seed nodes */
  redisUrl?: string
  /** REDIS_CLUSTER=1: connect to a Redis Cluster */
  redisCluster?: boolean
  /** requests per window per API key (RATE_LIMIT_MAX, default 100); 0 turns limiting off */
  rateLimitMax?: number
  /** RATE_LIMIT_WINDOW_MS, default 1000 */
  rateLimitWindowMs?: number
  /** POST /api/signup per client IP (default the seed's 10 per hour) */
  signupRateLimit?: { max: number; timeWindow: number }
  /** the seed's quotas unless raised */
  limits?: Partial<Limits>
  sse?: SseOptions
  logger?: boolean | FastifyBaseLogger | Record<string, unknown>
  /** how long Redis may take to answer at start before the relay gives up */
  connectTimeoutMs?: number
}

export interface Relay {
  app: FastifyInstance
  store: RedisStore
}

/** Connects to Redis (throws RedisStoreUnavailable within the timeout) and builds the app. */
export async function buildRelay(options: RelayOptions = {}): Promise<Relay> {
  const store = await RedisStore.connect({
    url: options.redisUrl,
    cluster: options.redisCluster ?? false,
    limits: options.limits,
    connectTimeoutMs: options.connectTimeoutMs,
  })
  try {
    const max = options.rateLimitMax ?? 100
    const app = await buildApiServer(store, {
      logger: options.logger ?? false,
      rateLimit:
        max > 0
          ? {
              max,
              timeWindow: options.rateLimitWindowMs ?? 1000,
              // counters in Redis: a client cannot multiply its quota by spreading over instances
              redis: store.redis,
              nameSpace: 'hf:rl:',
              // a key's counter is read in its lookup's round trip (one Redis call, not two)
              countInStore: true,
            }
          : false,
      ...(options.signupRateLimit ? { signupRateLimit: options.signupRateLimit } : {}),
      // the per-key stream limit is counted in Redis, so it holds across instances
      sse: { ...options.sse, slots: store.streamSlots },
      extraRoutes: (app, helpers) => {
        syncRoutes(store, { heartbeatMs: options.sse?.heartbeatMs })(app, helpers)
        pairingRoutes(store)(app, helpers)
      },
      version: '2.0.0',
    })
    // after the API's preClose (its streams ended with a last event): connections without a
    // request in flight are ended, or one a client never used would hold the close forever
    const quiet = quietCloser(app.server)
    app.addHook('preClose', async () => quiet())
    // after the API's preClose (streams end with a last event) and the server's close: Redis last
    app.addHook('onClose', async () => store.close())
    return { app, store }
  } catch (err) {
    await store.close()
    throw err
  }
}
