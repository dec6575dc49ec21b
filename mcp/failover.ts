// Several agents on one machine share one node: the first `handoff mcp` may have started it
// embedded, and it stops when that session ends. The others then find nothing listening; rather
// than failing every call from then on, they look for the node again (or start one) and repeat
// the call. Only a refused connection triggers this: the request never reached a server, so
// repeating it cannot apply anything twice.
import type { HandoffBackend } from './backend.js'

/** true when nothing listened at the address: ECONNREFUSED anywhere in the cause chain. */
export function isRefused(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

export function withFailover(
  initial: HandoffBackend,
  rediscover: () => Promise<HandoffBackend>,
): HandoffBackend {
  let current = initial
  let replacing: Promise<HandoffBackend> | null = null
  const replace = (failed: HandoffBackend): Promise<HandoffBackend> => {
    // Concurrent failures share one rediscovery; a call that failed on an older backend just
    // uses the one already found.
    if (current !== failed) return Promise.resolve(current)
    replacing ??= rediscover()
      .then((next) => {
        current = next
        void failed.close().catch(() => {})
        return next
      })
      .finally(() => {
        replacing = null
      })
    return replacing
  }
  return new Proxy(initial, {
    get(_target, prop) {
      const value = Reflect.get(current, prop) as unknown
      if (typeof value !== 'function' || prop === 'close') {
        return typeof value === 'function' ? value.bind(current) : value
      }
      return async (...args: unknown[]) => {
        const used = current
        try {
          return await (Reflect.get(used, prop) as (...a: unknown[]) => unknown).apply(used, args)
        } catch (err) {
          if (!isRefused(err)) throw err
          const next = await replace(used)
          return (Reflect.get(next, prop) as (...a: unknown[]) => unknown).apply(next, args)
        }
      }
    },
  })
}
