// The HTTP/SSE API shared by the relay (Redis store) and the local node (autobase store).
export { apiServerOptions, buildApiServer, createApiPlugin } from './app.js'
export { extractApiKey } from './auth.js'
export { toApiError } from './errors.js'
export type { ApiHelpers, ApiOptions, ApiServerOptions, RateLimitOptions, SseOptions } from './options.js'
export { DEFAULTS as API_DEFAULTS } from './options.js'
export { grantedLevel, hasPermission } from './permissions.js'
export type { ServeSseOptions } from './serve-sse.js'
export { SseWriter } from './sse.js'
