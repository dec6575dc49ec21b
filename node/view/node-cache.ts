// An apply call's view batch, flushed, and the tree nodes it appended put in the view's node
// cache. Hyperbee caches a tree node once it has read it back from the core, never as it writes
// it; each batch writes the nodes along every path it changed (mostly the right edge of each
// positional range) into new blocks, and the next call walked those same paths: in a catch-up of
// 10,000 messages in calls of 16, ~16,000 block reads back from storage, 26 per call (measured,
// docs/benchmarks.md). The cached entries are decoded from the very bytes appended, so they are
// what such a read would return, and hyperbee drops cached nodes past a truncation (autobase
// reordering the view) as it drops those it read itself.
//
// This reaches into hyperbee 2's batch (its block encoding, its cache): the package's pinned
// version is what it was written against, and nothing here changes what is written.
import { createRequire } from 'node:module'
import type { HyperbeeBatch } from 'hyperbee'

interface NodeCodec {
  decode(block: Buffer): { key: Buffer; value: Buffer | null; index: Buffer | null }
}
const { Node } = createRequire(import.meta.url)('hyperbee/lib/messages.js') as { Node: NodeCodec }

/** What this uses of hyperbee's Batch (not in its typings). */
interface BatchInternals {
  length: number
  core: { length: number; fork: number }
  tree: { core: { fork: number }; _nodeCache: { set(seq: number, entry: unknown): void } | null }
  /** the blocks flush will append (memoized: flush appends these very buffers) */
  toBlocks(): Buffer[]
}

export async function flushCachingNodes(batch: HyperbeeBatch<unknown>): Promise<void> {
  const b = batch as unknown as BatchInternals
  const cache = b.tree?._nodeCache
  if (!b.length || !cache || typeof b.toBlocks !== 'function') return batch.flush()
  const start = b.core.length
  const fork = b.core.fork
  const blocks = b.toBlocks()
  await batch.flush()
  // as hyperbee's own reads: only for the tree's current fork, and only if the blocks landed
  // where they were numbered
  if (b.core.fork !== fork || b.tree.core.fork !== fork || b.core.length !== start + blocks.length) return
  blocks.forEach((block, i) => {
    // a block under 4 KB was encoded into Node's shared 8 KB pool: the entry's buffers (views of
    // the block) would keep a whole pool slab alive for as long as the cache holds it, so they
    // view a copy of its own (hyperbee's copyEntry unslabs what it reads for the same reason)
    const own = Buffer.allocUnsafeSlow(block.byteLength)
    block.copy(own)
    const { key, value, index } = Node.decode(own)
    // the entry as hyperbee's _getNode caches it (copyEntry): `inflated` is filled on first use
    cache.set(start + i, { key, value, index, inflated: null })
  })
}
