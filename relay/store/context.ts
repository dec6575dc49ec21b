// What every store module gets: the command connection, the shared pub/sub connection and the
// limits in force (the seed's by default; tests and self-hosters may raise them).
import type { Redis } from 'ioredis'
import { LIMITS } from './keys.js'
import type { PubSub } from './pubsub.js'

export type Limits = { -readonly [K in keyof typeof LIMITS]: number }

export interface StoreContext {
  redis: Redis
  pubsub: PubSub
  limits: Limits
}

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  return { ...LIMITS, ...overrides }
}

/** Content the relay cannot read: the seed SDK's `e2ee:` strings and our `hf1:` envelopes. */
export function isEncryptedContent(content: string): boolean {
  return content.startsWith('e2ee:') || content.startsWith('hf1:')
}
