// The relay's two Redis connections (commands, and the subscriber every stream shares), how a
// failure to reach Redis is reported at start (one line, within a timeout) and while running
// (503 UNAVAILABLE, never a 500).
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { ApiError } from '../../sdk/api/errors.js'

export class RedisStoreUnavailable extends Error {
  override name = 'RedisStoreUnavailable'
}

/**
 * `cluster`: `url` is one or more comma-separated seed nodes of a Redis Cluster. Every team's keys
 * share one hash slot and every script touches one team's keys, so the store runs unchanged; the
 * clients are typed as Redis because the store only uses the commands both have.
 */
export async function connectRedis(
  url: string,
  timeout: number,
  cluster = false,
): Promise<{ redis: Redis; sub: Redis }> {
  const base: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeout,
    maxRetriesPerRequest: 2,
    // once running, reconnect with back-off forever: a Redis restart must not kill the relay
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  }
  const make = (name: string, extra: RedisOptions): Redis => {
    if (!cluster) return new Redis(url, { ...base, connectionName: name, ...extra })
    const seeds = url.split(',').map((u) => u.trim())
    const first = new URL(seeds[0] as string)
    const auth = {
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    }
    return new Cluster(seeds, {
      lazyConnect: true,
      // ioredis groups a cluster auto-pipeline by node, then refuses it when its keys span slots
      enableAutoPipelining: false,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
      redisOptions: {
        ...base,
        ...auth,
        ...extra,
        enableAutoPipelining: false,
        connectionName: name,
        lazyConnect: false,
      },
    }) as unknown as Redis
  }
  // auto-pipelining: commands of concurrent requests issued in one tick share one socket write
  const redis = make('handoff-relay', { enableAutoPipelining: true })
  const sub = make('handoff-relay-sub', { maxRetriesPerRequest: null })
  // errors surface through commands; without a listener ioredis would print each reconnect error
  let lastError: Error | undefined
  const remember = (err: Error) => {
    lastError = err
  }
  redis.on('error', remember)
  sub.on('error', remember)
  try {
    await withTimeout(Promise.all([redis.connect(), sub.connect()]), timeout)
    await withTimeout(redis.ping(), timeout)
  } catch (err) {
    redis.disconnect()
    sub.disconnect()
    const cause = lastError ?? err
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new RedisStoreUnavailable(`cannot reach Redis at ${redactUrl(url)}: ${why}`)
  }
  redis.off('error', remember).on('error', () => {})
  sub.off('error', remember).on('error', () => {})
  return { redis, sub }
}

/**
 * Redis down is the server's fault, not the client's: answer 503 UNAVAILABLE with Retry-After
 * (clients retry) instead of a 500. ioredis gives up on a command after a few reconnect attempts.
 */
const UNREACHABLE =
  /Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|LOADING|READONLY|CLUSTERDOWN|TRYAGAIN/

export async function available<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (err) {
    if (
      err instanceof Error &&
      !(err instanceof ApiError) &&
      UNREACHABLE.test(`${err.name} ${err.message}`)
    ) {
      throw new ApiError('UNAVAILABLE', 'Storage is unavailable, retry shortly', { retryAfter: 1 })
    }
    throw err
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** never print a password from REDIS_URL */
function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'the configured REDIS_URL'
  }
}
