// Group commit for local writes: envelopes that arrive while an append is in flight wait and go
// into the next append together (one local batch, one apply call, and several envelopes per block:
// node/log/blocks.ts), so N concurrent writers cost about one append instead of N. The first
// envelope of an idle queue is appended at once: a lone writer waits for nothing.

type Append = (envelopes: Buffer[]) => Promise<void>

interface Pending {
  bytes: Buffer
  resolve: () => void
  reject: (err: unknown) => void
}

export class WriteQueue {
  private pending: Pending[] = []
  private draining = false

  /**
   * @param append appends envelopes and resolves once they are durable and applied
   * @param max envelopes per append at most (an apply over more holds the view batch longer)
   */
  constructor(
    private readonly append: Append,
    private readonly max = 500,
  ) {}

  /** Resolves once `bytes` is durably appended and applied; rejects if its append failed. */
  push(bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ bytes, resolve, reject })
      if (!this.draining) void this.drain()
    })
  }

  get size(): number {
    return this.pending.length
  }

  private async drain(): Promise<void> {
    this.draining = true
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.max)
        try {
          await this.append(batch.map((p) => p.bytes))
        } catch (err) {
          // the append as a whole failed: every envelope of it is unwritten, nothing else is
          for (const p of batch) p.reject(err)
          continue
        }
        for (const p of batch) p.resolve()
      }
    } finally {
      this.draining = false
    }
  }
}
