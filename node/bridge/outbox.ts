// What the node holds that the relay may lack: the envelopes in the team log's writer cores (one
// per member device, this node's own included; a block holds one or several, node/log/blocks.ts),
// read past the per-writer push cursor in causal order. Every autobase block names the writer
// heads it was appended after, so a block is emitted only after the blocks it depends on; the
// relay's sync log is then a valid replay order (a member's messages never precede the operation
// that added the member).
import { createRequire } from 'node:module'
import type Corestore from 'corestore'
import { decodeEnvelope, envelopeIdHex } from '../../sdk/protocol/index.js'
import { envelopesOf } from '../log/blocks.js'

// autobase's block encoding (its writer cores hold oplog messages: heads, batch, value)
const require = createRequire(import.meta.url)
const { OplogMessage } = require('autobase/lib/messages.js') as { OplogMessage: unknown }

interface OplogBlock {
  node: { heads: Array<{ key: Buffer; length: number }>; value: Buffer | null }
}

interface WriterCore {
  readonly contiguousLength: number
  ready(): Promise<void>
  close(): Promise<void>
  has(seq: number): Promise<boolean>
  get(seq: number, opts: { wait: false }): Promise<OplogBlock | null>
}

export interface OutboxItem {
  /** envelope id, hex */
  id: string
  bytes: Buffer
}

export interface OutboxBatch {
  items: OutboxItem[]
  /** the push cursors once these items are on the relay */
  next: Record<string, number>
  /** blocks still unread after this batch (a lower bound: the status's push lag) */
  remaining: number
}

export class Outbox {
  private readonly cores = new Map<string, WriterCore>()

  constructor(private readonly corestore: Corestore) {}

  private async core(hex: string): Promise<WriterCore> {
    let core = this.cores.get(hex)
    if (!core) {
      const opts = { key: Buffer.from(hex, 'hex'), valueEncoding: OplogMessage, active: false }
      core = this.corestore.get(opts as never) as unknown as WriterCore
      this.cores.set(hex, core)
      await core.ready()
    }
    return core
  }

  private async block(hex: string, seq: number): Promise<OplogBlock | null> {
    const core = await this.core(hex)
    if (!(await core.has(seq))) return null // not replicated here (yet)
    return core.get(seq, { wait: false })
  }

  /** Blocks of `writers` not yet pushed, as far as they are held locally. */
  async pending(writers: string[], pushed: Record<string, number>): Promise<number> {
    let n = 0
    for (const w of writers) n += Math.max(0, (await this.core(w)).contiguousLength - (pushed[w] ?? 0))
    return n
  }

  /**
   * Up to `max` envelopes past `pushed`, each after its causal dependencies, whole blocks only
   * (`max` must be at least MAX_BLOCK_ENVELOPES). Acks and blocks that are not envelopes advance
   * the cursor without being sent; `skip` filters ids the relay is known to have (those this
   * bridge pulled from it).
   */
  async next(
    writers: string[],
    pushed: Record<string, number>,
    max: number,
    skip: (id: string) => boolean,
  ): Promise<OutboxBatch> {
    const next = { ...pushed }
    const items: OutboxItem[] = []
    let full = false
    // an explicit stack, not recursion: a dependency chain can be as long as the log
    for (const root of writers) {
      const stack: Array<[string, number]> = [[root, (await this.core(root)).contiguousLength]]
      while (stack.length > 0 && !full) {
        const [w, upto] = stack[stack.length - 1] as [string, number]
        const seq = next[w] ?? 0
        if (seq >= upto) {
          stack.pop()
          continue
        }
        const block = await this.block(w, seq)
        if (!block) break // a dependency not held here: resume once replication brings it
        const dep = block.node.heads.find((h) => (next[h.key.toString('hex')] ?? 0) < h.length)
        if (dep) {
          stack.push([dep.key.toString('hex'), dep.length])
          continue
        }
        const fresh = itemsOf(block.node.value).filter((item) => !skip(item.id))
        if (items.length > 0 && items.length + fresh.length > max) {
          full = true // the block goes in the next batch
          break
        }
        items.push(...fresh)
        next[w] = seq + 1
        full = items.length >= max
      }
      if (full) break
    }
    return { items, next, remaining: await this.pending(writers, next) }
  }

  async close(): Promise<void> {
    const cores = [...this.cores.values()]
    this.cores.clear()
    await Promise.all(cores.map((c) => c.close().catch(() => {})))
  }
}

/** A block's envelopes; what is not an envelope (apply drops it too) the relay could not store. */
function itemsOf(block: Buffer | null): OutboxItem[] {
  if (!block) return [] // an autobase ack
  let envelopes: Buffer[]
  try {
    envelopes = envelopesOf(block)
  } catch {
    return []
  }
  const items: OutboxItem[] = []
  for (const bytes of envelopes) {
    try {
      items.push({ id: envelopeIdHex(decodeEnvelope(bytes)), bytes })
    } catch {}
  }
  return items
}
