// The SDK client: everything a program needs to talk to a relay or a local node.
export type { RetryOptions } from './backoff.js'
export type { ClientMessage, ClientStatus, ClientStatusChange, DecryptFlags } from './codec.js'
export {
  AuthenticationError,
  ConnectionError,
  HandoffError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from './errors.js'
export { Handoff } from './handoff.js'
export type { FetchLike } from './http.js'
export { LEGACY_PREFIX } from './legacy-e2ee.js'
export { Subscription } from './subscription.js'
export type { EncryptionKey, TeamKeyring } from './team-keys.js'
export type * from './types.js'
