// API keys: `Authorization: Bearer <key>`, `X-Api-Key: <key>` or `?token=<key>`, in that order as
// the seed (EventSource cannot set headers, so the stream needs the query form).
import type { FastifyRequest } from 'fastify'
import { ApiError } from '../api/errors.js'
import type { HandoffStore, Principal } from '../api/store.js'

// Longer values cannot be keys; refuse them before they reach the store.
export const MAX_KEY_LENGTH = 512

export function extractApiKey(request: FastifyRequest): string | null {
  const authorization = request.headers.authorization
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) {
    const key = authorization.slice(7).trim()
    if (key) return key
  }
  const header = request.headers['x-api-key']
  const headerKey = Array.isArray(header) ? header[0] : header
  if (headerKey?.trim()) return headerKey.trim()
  const token = (request.query as Record<string, unknown> | undefined)?.token
  const tokenKey = Array.isArray(token) ? token[0] : token
  if (typeof tokenKey === 'string' && tokenKey) return tokenKey
  return null
}

/** The request's key resolved by `lookup`; throws MISSING_API_KEY / INVALID_API_KEY otherwise. */
export async function resolveKey<T>(
  request: FastifyRequest,
  lookup: (key: string) => Promise<T | null>,
): Promise<T> {
  const key = extractApiKey(request)
  if (!key) throw new ApiError('MISSING_API_KEY', 'Missing API key')
  const found = key.length <= MAX_KEY_LENGTH ? await lookup(key) : null
  if (!found) throw new ApiError('INVALID_API_KEY', 'Invalid API key')
  return found
}

export async function authenticate(store: HandoffStore, request: FastifyRequest): Promise<Principal> {
  if (request.principal) return request.principal
  const principal = await resolveKey(request, (key) => store.authenticate(key))
  request.principal = principal
  return principal
}

/** The request URL without its query string, which may carry `?token=<secret>`. */
export function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
