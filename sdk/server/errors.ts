// The one place where failures become HTTP answers: ApiError as is, zod issues through the seed's
// codes, Fastify's own errors (body too large, bad media type, bad URL) mapped to our codes, and
// anything else a logged 500 INTERNAL_ERROR that reveals nothing.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ZodError } from 'zod'
import { ApiError } from '../api/errors.js'
import { issueToApiError } from '../api/validation.js'

const FASTIFY_CODES: Record<string, () => ApiError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new ApiError('BODY_TOO_LARGE', 'Request body is too large'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON (Content-Type: application/json)'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ApiError('INVALID_JSON', 'Request body must be valid JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new ApiError('BAD_REQUEST', 'Content-Length does not match the request body'),
  FST_ERR_BAD_URL: () => new ApiError('BAD_REQUEST', 'Malformed URL'),
}

const BY_STATUS: Record<number, () => ApiError> = {
  404: () => new ApiError('NOT_FOUND', 'Route not found'),
  413: FASTIFY_CODES.FST_ERR_CTP_BODY_TOO_LARGE!,
  415: FASTIFY_CODES.FST_ERR_CTP_INVALID_MEDIA_TYPE!,
  429: () => new ApiError('RATE_LIMITED', 'Too many requests. Slow down.'),
}

/** The ApiError a failure stands for, or null when it is a server fault. */
export function toApiError(err: unknown, request?: FastifyRequest): ApiError | null {
  if (err instanceof ApiError) return err
  if (err instanceof ZodError) {
    const issue = err.issues[0]
    return issue ? issueToApiError(issue, 'body') : new ApiError('INVALID_FIELD', 'Invalid request')
  }
  const fastifyError = err as Partial<FastifyError> | null
  const code = fastifyError?.code
  if (
    code === 'FST_ERR_CTP_BODY_TOO_LARGE' &&
    request &&
    /\/messages$/.test(request.routeOptions.url ?? '')
  ) {
    // old clients check CONTENT_TOO_LARGE for an over-long message, whatever layer noticed it
    return new ApiError('CONTENT_TOO_LARGE', 'content must be 32768 bytes or less')
  }
  if (code && FASTIFY_CODES[code]) return FASTIFY_CODES[code]()
  const status = fastifyError?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return BY_STATUS[status]?.() ?? new ApiError('BAD_REQUEST', 'Bad request')
  }
  return null
}

// SPEC: every 429 carries Retry-After. A quota (KEY_LIMIT_REACHED, ...) has no natural wait; a
// minute keeps a retrying client from hammering the server while someone frees a slot.
const DEFAULT_RETRY_AFTER_S = 60

export function sendApiError(reply: FastifyReply, err: ApiError): FastifyReply {
  const retryAfter = err.retryAfter ?? (err.status === 429 ? DEFAULT_RETRY_AFTER_S : undefined)
  if (retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))))
  return reply.code(err.status).type('application/json; charset=utf-8').send(err.toJSON())
}

export function installErrorHandling(app: FastifyInstance, notFoundPreHandler?: unknown): void {
  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err, request)
    if (apiError) {
      if (apiError.status >= 500) request.log.error({ err }, 'request failed')
      return sendApiError(reply, apiError)
    }
    request.log.error({ err }, 'request failed')
    return sendApiError(reply, new ApiError('INTERNAL_ERROR', 'Internal server error'))
  })
  const handler = (_request: FastifyRequest, reply: FastifyReply) =>
    sendApiError(reply, new ApiError('NOT_FOUND', 'Route not found'))
  if (notFoundPreHandler) app.setNotFoundHandler({ preHandler: notFoundPreHandler as never }, handler)
  else app.setNotFoundHandler(handler)
}
