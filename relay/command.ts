// `handoff relay`: serve the relay API on --port/--host with Redis at REDIS_URL. Logs are pino
// JSON on stdout. SIGINT/SIGTERM: stop accepting, let in-flight requests finish, end open streams
// with a last `shutdown` event, close Redis, exit 0. Redis unreachable at start: one line on
// stderr and exit 1 (the CLI prints the error), after at most the connect timeout.
import type { Command } from 'commander'
import pino from 'pino'
import { UsageError } from '../sdk/cli-errors.js'
import { buildRelay } from './app.js'
import { RedisStoreUnavailable } from './store/redis-store.js'

const SHUTDOWN_GRACE_MS = 10_000

function intOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
  if (!(n >= min && n <= max))
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, not "${raw}"`)
  return n
}

export interface RelayCommandOptions {
  port?: string
  host?: string
}

export async function runRelay(
  opts: RelayCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const port = intOption('--port (PORT)', opts.port ?? env.PORT, 3000, 0, 65535)
  const host = opts.host ?? env.HOST ?? '0.0.0.0'
  const redisUrl = env.REDIS_URL || 'redis://localhost:6379'
  if (!redisUrl.split(',').every((u) => /^rediss?:\/\//.test(u.trim()))) {
    throw new UsageError('REDIS_URL must start with redis:// or rediss://')
  }
  const redisCluster = env.REDIS_CLUSTER === '1' || env.REDIS_CLUSTER === 'true'
  const rateLimitMax = intOption('RATE_LIMIT_MAX', env.RATE_LIMIT_MAX, 100, 0, 1_000_000_000)
  const rateLimitWindowMs = intOption('RATE_LIMIT_WINDOW_MS', env.RATE_LIMIT_WINDOW_MS, 1000, 1, 86_400_000)
  const level = env.LOG_LEVEL || 'info'
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new UsageError(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "${level}"`,
    )
  }
  const logger = pino({ level, name: 'handoff-relay' })

  let relay: Awaited<ReturnType<typeof buildRelay>>
  try {
    relay = await buildRelay({
      redisUrl,
      redisCluster,
      rateLimitMax,
      rateLimitWindowMs,
      logger,
      connectTimeoutMs: 5_000,
    })
  } catch (err) {
    if (err instanceof RedisStoreUnavailable) throw new Error(err.message)
    throw err
  }
  const { app } = relay

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal }, 'shutting down: finishing requests, ending streams, closing Redis')
    const force = setTimeout(() => {
      logger.error('shutdown took too long: exiting')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    force.unref()
    app.close().then(
      () => {
        logger.info('relay stopped')
        logger.flush()
        process.exit(0)
      },
      (err) => {
        logger.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))

  try {
    const address = await app.listen({ port, host })
    logger.info({ address, redis: redisUrl.replace(/\/\/[^@]*@/, '//***@') }, `relay listening on ${address}`)
  } catch (err) {
    await app.close().catch(() => {})
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new Error(`port ${port} on ${host} is already in use`)
    if (code === 'EACCES') throw new Error(`not allowed to listen on ${host}:${port}`)
    throw err
  }
  // Runs until a signal: commander's parseAsync resolves, the listening server keeps the process alive.
}

export function registerRelayCommand(program: Command): void {
  program
    .command('relay')
    .description('Run the Handoff relay (HTTP/SSE API over Redis)')
    .option('--port <n>', 'port (PORT, default 3000)')
    .option('--host <h>', 'host (HOST, default 0.0.0.0)')
    .addHelpText(
      'after',
      '\nEnvironment: REDIS_URL (default redis://localhost:6379), REDIS_CLUSTER=1 (REDIS_URL names\n' +
        'cluster seed nodes, comma-separated), RATE_LIMIT_MAX (default 100), RATE_LIMIT_WINDOW_MS\n' +
        '(default 1000), LOG_LEVEL (default info)',
    )
    .action(async (opts: RelayCommandOptions) => {
      await runRelay(opts)
    })
}
