// A small JSON client for the relay's ordinary API routes (channels, messages), as the bridge's
// relay key. A 429 or 503 is waited out (Retry-After) a few times: the bridge posts in bursts.
import { sleep } from '../../sdk/client/backoff.js'
import { jsonOrThrow } from '../../sdk/client/http.js'

export class RelayHttp {
  private readonly base: string

  constructor(
    url: string,
    private readonly key: string,
    private readonly signal: AbortSignal,
  ) {
    this.base = url.replace(/\/+$/, '')
  }

  /** `key`: another key of the same relay team (acks are recorded under the key's sender) */
  async call<T>(method: string, path: string, body?: unknown, key = this.key): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any([this.signal, AbortSignal.timeout(20_000)]),
      })
      const retryAfter = res.headers.get('retry-after')
      if ((res.status === 429 || res.status === 503) && attempt < 5) {
        await res.body?.cancel()
        await sleep(Math.min(10_000, Math.max(100, Number(retryAfter ?? 1) * 1000)), this.signal)
        continue
      }
      return jsonOrThrow<T>(res)
    }
  }
}

/** What the bridge's gateways (messages, acks, statuses) use of RelayHttp. */
export type RelayCaller = Pick<RelayHttp, 'call'>
