// The node's corestore on disk, with its memory bounded. corestore 7 builds its hypercore-storage
// (RocksDB) itself and passes it only a few options, so its memory is RocksDB's defaults. Here the
// node builds the same storage (same hypercore-storage, column family and on-disk format: data
// dirs written before open unchanged) with chosen options and hands it to Corestore.
import { createRequire } from 'node:module'
import Corestore from 'corestore'
import Rache from 'rache'

/** Part of what hypercore-storage passes on to RocksDB's `corestore` column family. */
export interface StorageOptions {
  writeBufferSize?: number
}
type CoreStorageClass = new (dir: string, opts: StorageOptions) => object

// the hypercore-storage that corestore's own hypercore loads (not a second copy of our own)
const fromHere = createRequire(import.meta.url)
const hypercoreEntry = createRequire(fromHere.resolve('corestore')).resolve('hypercore')
const CoreStorage = createRequire(hypercoreEntry)('hypercore-storage') as CoreStorageClass

const MB = 1024 * 1024

/**
 * RocksDB settings of the node's store. Measured (docs/benchmarks.md, p2p "Memory"): a node
 * reading its log holds ~1 MB of memtables and ~11 MB of pinned index and filter blocks at
 * 256,000 messages; a node writing holds up to 2 memtables of `writeBufferSize` each (68 MB at
 * RocksDB's 64 MB default, 17 MB at 16 MB: 50-60 MB less RSS while appending), so the write
 * buffer is the setting that bounds it. Smaller buffers flush more often: 120 MB of raw bulk
 * appends (bench/p2p/append-memory.ts) took 8-16 s instead of 5-13 s here (load 14-20), i.e.
 * ~8-15 MB/s, far above the <1 MB/s a node writes (100-500 messages/s of ~1 KB of memtable
 * each, paced by apply). The block cache stays at RocksDB's 32 MB (hypercore-storage can only
 * turn it on or off; it held ~1 MB of data blocks besides the pinned ones in these runs).
 */
export const STORAGE_OPTIONS: Readonly<StorageOptions> = Object.freeze({ writeBufferSize: 16 * MB })

/** Decoded hyperbee blocks kept in memory, all bees of the node together. */
const CACHE_ENTRIES = 8192

/**
 * The corestore of a node's data dir (`paths(dir).corestore`); `options` for benches only.
 * Corestore no longer builds the storage here, so the storage options it would have passed on
 * (id, allowBackup, readOnly, wait, treeCache...) are ignored when given to `new Corestore`: they
 * must go into `options` (this function's CoreStorage), or they silently do nothing.
 */
export function openCorestore(dir: string, options: Readonly<StorageOptions> = STORAGE_OPTIONS): Corestore {
  const storage = new CoreStorage(dir, options)
  // one LRU cap for the node caches of every hyperbee on this store (view, arrivals, local
  // state): without it each bee keeps up to 65,536 decoded blocks, and a client paging through a
  // big channel grows the heap by ~100 MB (docs/benchmarks.md, read part)
  return new Corestore(storage as unknown as string, { globalCache: new Rache({ maxSize: CACHE_ENTRIES }) })
}
