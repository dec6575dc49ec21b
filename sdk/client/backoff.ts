// Retry timing shared by requests and the stream: exponential backoff with full jitter (so many
// clients dropped at once do not reconnect in lock-step), capped, and an abortable sleep.

export interface RetryOptions {
  /** retries after the first attempt for idempotent requests (default 2; 0 disables) */
  maxRetries?: number
  /** first backoff step in ms (default 250) */
  minDelayMs?: number
  /** largest backoff step in ms, Retry-After excepted (default 8000) */
  maxDelayMs?: number
}

export interface ResolvedRetry {
  maxRetries: number
  minDelayMs: number
  maxDelayMs: number
}

export function resolveRetry(options: RetryOptions | false | undefined): ResolvedRetry {
  if (options === false) return { maxRetries: 0, minDelayMs: 250, maxDelayMs: 8000 }
  return {
    maxRetries: options?.maxRetries ?? 2,
    minDelayMs: options?.minDelayMs ?? 250,
    maxDelayMs: options?.maxDelayMs ?? 8000,
  }
}

/** Delay before retry number `attempt` (0-based): uniform in [base/2, base], base doubling. */
export function backoffDelay(attempt: number, retry: ResolvedRetry, random = Math.random): number {
  const base = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** Math.min(attempt, 30))
  return Math.round(base / 2 + (random() * base) / 2)
}

/** The reason a signal was aborted, as an Error (AbortSignal.reason may be anything). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason
  const err = new Error(reason === undefined ? 'This operation was aborted' : String(reason))
  err.name = 'AbortError'
  return err
}

/** Resolve after `ms`, or reject with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal))
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortReason(signal!))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** One signal that aborts when any of the given ones does (undefined entries are skipped). */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined)
  if (present.length === 0) return undefined
  if (present.length === 1) return present[0]
  return AbortSignal.any(present)
}
