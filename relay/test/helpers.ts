// Shared by the relay tests: stores on the private test Redis (never 6379) and small waits.
import { inject } from 'vitest'
import type { Limits } from '../store/context.js'
import { RedisStore } from '../store/redis-store.js'

export const redisUrl = (): string => inject('redisUrl')

const open: RedisStore[] = []

export async function newStore(limits: Partial<Limits> = {}): Promise<RedisStore> {
  const store = await RedisStore.connect({ url: redisUrl(), limits })
  open.push(store)
  return store
}

export async function closeStores(): Promise<void> {
  await Promise.all(open.splice(0).map((s) => s.close()))
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
