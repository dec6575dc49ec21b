// Assembles the API: body parsing, error mapping, rate limiting, every route, SSE shutdown.
// `createApiPlugin` mounts it into an existing Fastify instance; `buildApiServer` makes one with
// the server options the API needs (long path parameters, our error format for bad URLs, ...).
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify'
import { ApiError } from '../api/errors.js'
import type { HandoffStore } from '../api/store.js'
import { authenticate, pathOf } from './auth.js'
import { installBodyParser } from './body.js'
import type { ApiContext } from './context.js'
import { installErrorHandling, sendApiError, toApiError } from './errors.js'
import { keyLimit } from './key-limit.js'
import { type ApiHelpers, type ApiOptions, type ApiServerOptions, DEFAULTS } from './options.js'
import { requirePermission } from './permissions.js'
import { installRateLimit, signupRateLimit } from './rate-limit.js'
import { accessHook, route } from './route.js'
import { ackRoutes } from './routes/acks.js'
import { channelRoutes } from './routes/channels.js'
import { healthRoutes } from './routes/health.js'
import { keyRoutes } from './routes/keys.js'
import { messageRoutes } from './routes/messages.js'
import { statusRoutes } from './routes/status.js'
import { streamRoutes } from './routes/stream.js'
import { teamRoutes } from './routes/team.js'
import { whoamiRoutes } from './routes/whoami.js'
import { serveSse } from './serve-sse.js'
import { StreamRegistry } from './streams.js'

/**
 * The API as a Fastify plugin. It is not encapsulated (like fastify-plugin): it sets the error
 * and not-found handlers and the body parser of the instance it is registered on, so register it
 * on the root. Create that instance with `apiServerOptions()` (or use `buildApiServer`).
 */
export function createApiPlugin(store: HandoffStore, options: ApiOptions = {}): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    const sse = options.sse ?? {}
    const api: ApiContext = {
      store,
      options,
      routes: [],
      streams: new StreamRegistry(sse.maxPerKey ?? DEFAULTS.maxStreamsPerKey, sse.slots),
    }
    app.decorateRequest('principal', null)
    app.decorateRequest('countInWrite', false)
    installBodyParser(app)
    const limiting = await installRateLimit(app, options)
    if (limiting) {
      api.limit = app.rateLimit() as NonNullable<ApiContext['limit']>
      const counted = keyLimit(store, options.rateLimit, {
        max: DEFAULTS.rateLimitMax,
        windowMs: DEFAULTS.rateLimitWindowMs,
      })
      if (counted) api.keyLimit = counted
    }
    installErrorHandling(app, api.limit)
    // Open streams would keep server.close() waiting forever: end them first, with a last event.
    // Requests arriving meanwhile get our 503 format (Fastify's own lacks `code`).
    let closing = false
    // a callback hook, not an async one: it runs on every request and needs no promise
    app.addHook('onRequest', (_request, _reply, done) => {
      if (closing) done(new ApiError('UNAVAILABLE', 'Server is shutting down', { retryAfter: 1 }))
      else done()
    })
    app.addHook('preClose', async () => {
      closing = true
      api.streams.endAll()
    })

    healthRoutes(app, api, signupRateLimit(options))
    keyRoutes(app, api)
    teamRoutes(app, api)
    whoamiRoutes(app, api)
    channelRoutes(app, api)
    messageRoutes(app, api)
    ackRoutes(app, api)
    statusRoutes(app, api)
    streamRoutes(app, api, {
      heartbeatMs: sse.heartbeatMs ?? DEFAULTS.heartbeatMs,
      maxBufferedBytes: sse.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      padding: sse.padding ?? true,
    })
    if (options.extraRoutes) await options.extraRoutes(app, helpers(app, api))
  }
  // what fastify-plugin does: share the caller's context instead of an encapsulated child
  ;(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true
  return plugin
}

function helpers(app: FastifyInstance, api: ApiContext): ApiHelpers {
  const { store } = api
  const open = async () => {}
  return {
    store,
    authenticate: (request) => authenticate(store, request),
    requirePermission: (request, principal, channel, level) =>
      requirePermission(store, request, principal, channel, level),
    guard: (access) => accessHook(api, access) ?? open,
    serveSse: (options) => serveSse(api, options),
    route: (def, handler) => route(app, api, def, handler),
  }
}

// `?token=<key>` must never reach a log line.
const redactUrl = (url: string): string => url.replace(/([?&]token=)[^&]*/g, '$1[redacted]')

const serializers = {
  req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
    method: req.method,
    url: redactUrl(req.url),
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  }),
}

/** The Fastify server options the API relies on. */
export function apiServerOptions(options: ApiServerOptions = {}): FastifyServerOptions {
  const { logger } = options
  const isInstance =
    typeof logger === 'object' &&
    logger !== null &&
    typeof (logger as { child?: unknown }).child === 'function'
  const loggerOptions = isInstance
    ? {}
    : logger === false || logger === undefined
      ? { logger: false }
      : { logger: { ...(logger === true ? {} : logger), serializers } }
  return {
    ...(isInstance ? { loggerInstance: logger as never } : loggerOptions),
    bodyLimit: options.bodyLimit ?? DEFAULTS.bodyLimit,
    trustProxy: options.trustProxy ?? [...DEFAULTS.trustProxy],
    // status keys (256 bytes, percent-encoded) travel in the path
    routerOptions: { maxParamLength: 2048 },
    // answered by the API's own onRequest hook while closing, in the API's error format
    return503OnClosing: false,
    // a client gets 30 s to send its whole request (slow-loris); streams are unaffected, their
    // request is complete once the headers are in
    requestTimeout: 30_000,
    frameworkErrors: (err, request, reply) => {
      request.log.info({ url: redactUrl(pathOf(request.url)) }, 'malformed request')
      sendApiError(reply, toApiError(err) ?? new ApiError('BAD_REQUEST', 'Bad request'))
    },
  }
}

/** A Fastify instance serving the whole API over `store`; call `.listen()` on it, `.close()` to stop. */
export async function buildApiServer(
  store: HandoffStore,
  options: ApiServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify(apiServerOptions(options))
  await app.register(createApiPlugin(store, options))
  return app
}
