// Request bodies. The seed decoded every body as JSON whatever its Content-Type, so `curl -d`
// (form-encoded by default) kept working; we do the same for the JSON-ish types and refuse the
// rest with 415. An empty body is "no body" (the seed's SDK sends Content-Type on DELETE too);
// routes that need one answer INVALID_JSON. Bodies must be UTF-8.
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../api/errors.js'

const JSON_LIKE = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded)|text\/plain)$/i
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  let text: string
  try {
    text = decoder.decode(raw)
  } catch {
    throw new ApiError('INVALID_JSON', 'Request body must be UTF-8 encoded JSON')
  }
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError('INVALID_JSON', 'Request body must be valid JSON')
  }
}

export function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw, done) => {
    const type = request.headers['content-type']?.split(';')[0]?.trim() ?? ''
    if (type !== '' && !JSON_LIKE.test(type)) {
      done(
        new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON (Content-Type: application/json)'),
      )
      return
    }
    try {
      done(null, parseJsonBody(raw as Buffer))
    } catch (err) {
      done(err as Error)
    }
  })
}
