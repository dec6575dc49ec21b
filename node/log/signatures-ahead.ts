// Signature checks started as another writer's blocks arrive. Autobase fetches a remote writer's
// blocks up to 256 ahead of what it has linearized (autobase lib/writer.js MAX_PREFETCH), then
// applies them one writer batch per apply call, one call after another on the main thread. A call
// checked its envelopes' signatures itself (~57 µs each: a third of a call of 16 posts,
// docs/benchmarks.md). Here each block is decoded when it arrives and its checks go to a worker at
// once, so they run on another core while apply works through the blocks before it, and apply
// takes the answers (SignatureChecks.ahead). Only a speed-up: a block missed here is checked by
// apply as before, and apply trusts no answer but one for the very bytes it applies.
import type Autobase from 'autobase'
import { decodeEnvelope, type Envelope } from '../../sdk/protocol/index.js'
import { envelopesOf } from './blocks.js'
import { RemoteWriterWatch, type WriterCore } from './remote-writers.js'
import type { SignatureChecks } from './signature-checks.js'

export class SignaturesAhead {
  /** a 'download' listener on each remote writer core session */
  private readonly watch: RemoteWriterWatch<(index: number) => void>
  /** blocks that arrived since the last drain */
  private arrived: Array<{ core: WriterCore; index: number }> = []
  private draining = false
  private closed = false

  constructor(
    base: Autobase<unknown>,
    private readonly signatures: SignatureChecks,
  ) {
    this.watch = new RemoteWriterWatch(base, {
      label: 'signatures ahead',
      start: (core) => {
        const listener = (index: number) => this.arrive(core, index)
        core.on('download', listener)
        return listener
      },
      stop: (core, listener) => core.off('download', listener),
    })
  }

  /** Watch the remote writer cores autobase has learnt of since (the log's 'update'). */
  scan(): void {
    this.watch.scan()
  }

  close(): void {
    this.closed = true
    this.watch.close()
    this.arrived = []
  }

  private arrive(core: WriterCore, index: number): void {
    // without a worker there is nothing to start early: the block is not even read
    if (this.closed || !this.signatures.hasWorkers) return
    this.arrived.push({ core, index })
    if (this.draining) return
    this.draining = true
    // blocks come in bursts: one read and one worker job for all that arrived in this turn
    setImmediate(() => {
      this.drain().catch((err) => {
        if (process.env.HANDOFF_DEBUG) console.error('signatures ahead:', err)
      })
    })
  }

  private async drain(): Promise<void> {
    try {
      while (this.arrived.length > 0 && !this.closed) {
        const blocks = this.arrived
        this.arrived = []
        const envelopes = await Promise.all(blocks.map(({ core, index }) => envelopesAt(core, index)))
        if (this.closed) return
        this.signatures.ahead(envelopes.flat())
      }
    } finally {
      this.draining = false
    }
  }
}

/** The envelopes of a writer's block as apply will decode them; none if it is not readable. */
async function envelopesAt(core: WriterCore, index: number): Promise<Envelope[]> {
  let block: Buffer | null | undefined
  try {
    block = (await core.get(index, { wait: false }))?.node?.value
  } catch {
    return [] // a core closing, a block not stored yet: apply checks it itself
  }
  if (!block) return [] // an autobase ack
  let bytes: Buffer[]
  try {
    bytes = envelopesOf(block)
  } catch {
    return [] // malformed: apply drops it without a signature check
  }
  const envelopes: Envelope[] = []
  for (const b of bytes) {
    try {
      envelopes.push(decodeEnvelope(b))
    } catch {
      // apply records it as invalid
    }
  }
  return envelopes
}
