// SSE stream slots shared by every relay instance (the per-key limit, SPEC: 5 streams per key):
// each open stream holds a lease in the key's sorted set `hf:{team}:sse:<keyId>` (member: lease
// id, score: expiry by Redis's clock). This instance renews its leases every `renewMs`; if it
// dies they lapse after `ttlMs` and the next acquire drops them, so a crash cannot lock a key out
// for longer than that.
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { StreamLease, StreamSlots } from '../../sdk/server/streams.js'
import { available } from './connection.js'
import { keys } from './keys.js'
import { runScript } from './scripts.js'

export interface LeaseTiming {
  /** how long a lease outlives its last renewal (default 30 s) */
  ttlMs: number
  /** how often this instance renews its leases (default 10 s) */
  renewMs: number
}

const DEFAULT_TIMING: LeaseTiming = { ttlMs: 30_000, renewMs: 10_000 }

export class RedisStreamSlots implements StreamSlots {
  private readonly instance = randomBytes(8).toString('hex')
  private seq = 0
  /** lease set key -> lease ids this instance holds in it */
  private readonly held = new Map<string, Set<string>>()
  private readonly timer: NodeJS.Timeout
  private readonly timing: LeaseTiming

  constructor(
    private readonly redis: Redis,
    timing: Partial<LeaseTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing }
    this.timer = setInterval(() => void this.renew(), this.timing.renewMs)
    this.timer.unref()
  }

  async acquire(teamId: string, keyId: string, max: number): Promise<StreamLease | null> {
    const set = keys.streamLeases(teamId, keyId)
    const id = `${this.instance}:${++this.seq}`
    const [, taken] = await available(
      runScript(this.redis, 'hfLeaseAcquire', [set], [id, max, this.timing.ttlMs]),
    )
    if (taken !== '1') return null
    let ids = this.held.get(set)
    if (!ids) {
      ids = new Set()
      this.held.set(set, ids)
    }
    ids.add(id)
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        const mine = this.held.get(set)
        mine?.delete(id)
        if (mine?.size === 0) this.held.delete(set)
        // best effort: if Redis is unreachable the lease simply lapses after ttlMs
        this.redis.zrem(set, id).catch(() => {})
      },
    }
  }

  /** Stop renewing (the store is closing; streams have ended and released theirs). */
  close(): void {
    clearInterval(this.timer)
  }

  private async renew(): Promise<void> {
    await Promise.allSettled(
      [...this.held].map(([set, ids]) =>
        // re-adds a lease that lapsed during an outage: the key may briefly hold more than max
        runScript(this.redis, 'hfLeaseRenew', [set], [this.timing.ttlMs, ...ids]),
      ),
    )
  }
}
