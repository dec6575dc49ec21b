// Shared pieces of the p2p bench: knobs, message envelopes as the node writes them, a fast log
// builder, a wait for "all N readable through the node's store", and a raw corestore baseline.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Corestore from 'corestore'
import type { Hypercore } from 'hypercore'
import type { RunningNode } from '../../node/index.js'
import { OpType, sealContent, senderTagOf } from '../../node/log/ops.js'

export const knob = (name: string, fallback: number) => {
  const raw = process.env[name]
  const n = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`)
  return n
}

/** Message content size; the envelope adds its header, nonce, tag and signature. */
export const CONTENT_BYTES = knob('BENCH_CONTENT_BYTES', 256)
/** Envelopes per autobase append when building a log (one append per envelope is ~50/s here). */
export const BATCH = knob('BENCH_BATCH', 500)

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
export const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MB`
export const now = () => performance.now()

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] as number
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `handoff-bench-${prefix}-`))
}
export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true })

/** `count` message envelopes sealed and signed by this node, exactly as postMessage seals them. */
export function sealMessages(node: RunningNode, channel: string, count: number): Buffer[] {
  const keys = node.store.keys
  const sender = node.identity.name
  const ref = senderTagOf(keys.teamKey, sender)
  const out: Buffer[] = []
  for (let i = 0; i < count; i++) {
    // random text so nothing compresses better than real messages would
    const content = randomBytes(Math.ceil(CONTENT_BYTES / 2))
      .toString('hex')
      .slice(0, CONTENT_BYTES)
    out.push(sealContent(keys, { type: OpType.Message, channel, ref, body: { content, sender } }).bytes)
  }
  return out
}

export interface Fill {
  count: number
  ms: number
  /** every envelope appended, in order (with keepEnvelopes; a raw baseline replicates them) */
  envelopes: Buffer[]
}

/**
 * Append messages through the node's team log (autobase + the real apply) in batches of BATCH,
 * until `count` are written or `deadlineMs` passes. The envelopes are the ones postMessage would
 * append; only the one-append-per-request round trip is skipped.
 */
export async function fillLog(
  node: RunningNode,
  channel: string,
  count: number,
  options: { deadlineMs?: number; keepEnvelopes?: boolean; progress?: (n: number) => void } = {},
): Promise<Fill> {
  const start = now()
  const envelopes: Buffer[] = []
  let written = 0
  while (written < count) {
    if (options.deadlineMs !== undefined && now() - start > options.deadlineMs) break
    const batch = sealMessages(node, channel, Math.min(BATCH, count - written))
    await node.log.append(batch) // as the write queue appends a batch: several envelopes per block
    written += batch.length
    if (options.keepEnvelopes) envelopes.push(...batch)
    options.progress?.(written)
  }
  return { count: written, ms: now() - start, envelopes }
}

/** Resolves once the channel holds `count` messages and its newest one opens through the store. */
export async function waitReadable(
  node: RunningNode,
  channel: string,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = now() + timeoutMs
  const done = async () => {
    const ch = await node.store.getChannel(node.teamId, channel)
    if (!ch || ch.message_count !== count) return false
    const page = await node.store.readMessages(node.teamId, channel, { after_id: null, limit: 1 })
    const last = page.messages[0]
    return last !== undefined && last.encrypted !== true && last.content.length === CONTENT_BYTES
  }
  let wake: (() => void) | null = null
  const onUpdate = () => wake?.()
  node.log.on('update', onUpdate)
  try {
    while (!(await done())) {
      if (now() > deadline)
        throw new Error(`${channel}: not all ${count} messages readable in ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 25)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = null
    }
  } finally {
    node.log.off('update', onUpdate)
  }
}

/** What the raw baseline needs of a hypercore (the shared typings list only what node/ uses). */
export interface RawCore extends Hypercore {
  append(blocks: Buffer[] | Buffer): Promise<unknown>
  get(index: number): Promise<Buffer>
  contiguousLength: number
  download(range?: { start?: number; end?: number }): { done(): Promise<void> }
}

/** A corestore in its own temp dir, as a node keeps one on disk. */
export async function openRawStore(prefix: string) {
  const dir = await tempDir(prefix)
  const store = new Corestore(dir)
  await store.ready()
  return {
    store,
    dir,
    async close() {
      await store.close()
      await removeDir(dir)
    },
  }
}

export function rawCore(store: Corestore, opts: { name?: string; key?: Buffer }): RawCore {
  return store.get(opts) as RawCore
}

/** Resolves when `core` holds `length` contiguous blocks locally. */
export function waitContiguous(core: RawCore, length: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (core.contiguousLength < length) return
      clearTimeout(timer)
      core.off('download', check)
      resolve()
    }
    const timer = setTimeout(() => {
      core.off('download', check)
      reject(new Error(`raw core: ${core.contiguousLength}/${length} blocks after ${timeoutMs} ms`))
    }, timeoutMs)
    core.on('download', check)
    check()
  })
}

export interface DownloadTrack {
  /** when the first block of the writer's core arrived (0: none yet) */
  firstAt: number
  /** when the last block arrived */
  lastAt: number
  blocks: number
  /** how many of the writer's blocks this node holds from the start (whoever fetched them) */
  held(): number
  stop(): void
}

/**
 * Watches one writer's core in a node's corestore: when its blocks arrive splits a catch-up into
 * waiting for the peer, downloading, and applying (autobase moves its length only once a whole
 * linearized batch is applied, so the log length alone cannot tell these apart).
 */
export function trackDownload(node: RunningNode, writerKey: Buffer): DownloadTrack {
  const core = rawCore(node.corestore, { key: writerKey })
  // BENCH_PREFETCH=1, an experiment: ask for the writer's whole core at once, as the raw baseline
  // does, instead of leaving it to autobase to fetch blocks as it linearizes them
  if (process.env.BENCH_PREFETCH === '1') core.download({ start: 0, end: -1 })
  const track: DownloadTrack = {
    firstAt: 0,
    lastAt: 0,
    blocks: 0,
    held: () => core.contiguousLength,
    stop() {
      core.off('download', onDownload)
      void core.close().catch(() => {})
    },
  }
  // 'download' fires on the session that asked for the block: blocks fetched by autobase's own
  // session (e.g. the eager download of node/log/writer-prefetch.ts) may not be counted here;
  // held() tells how many arrived in all
  const onDownload = () => {
    const t = now()
    track.firstAt ||= t
    track.lastAt = t
    track.blocks++
  }
  core.on('download', onDownload)
  return track
}

/** RocksDB's own accounting of a corestore's native memory (the `corestore` column family). */
export interface StorageMemory {
  /** active + immutable memtables (write buffers) */
  memtables: number
  /** block cache in use, pinned index and filter blocks included */
  blockCache: number
  /** of which pinned (index and filter blocks of open tables) */
  pinned: number
  /** table readers held outside the cache */
  tableReaders: number
}

interface PropertyDb {
  getProperty(name: string): Promise<string>
}

export async function storageMemory(store: Corestore): Promise<StorageMemory> {
  const db = (store as unknown as { storage: { db: PropertyDb } }).storage.db
  const get = async (name: string) => Number(await db.getProperty(`rocksdb.${name}`))
  return {
    memtables: await get('size-all-mem-tables'),
    blockCache: await get('block-cache-usage'),
    pinned: await get('block-cache-pinned-usage'),
    tableReaders: await get('estimate-table-readers-mem'),
  }
}

/** One line: RSS, then what V8 and RocksDB say they hold (the rest is code, malloc slack, threads). */
export async function memoryLine(store: Corestore): Promise<string> {
  const m = process.memoryUsage()
  const s = await storageMemory(store)
  return `RSS ${mb(m.rss)} = JS heap ${mb(m.heapUsed)} (of ${mb(m.heapTotal)}), external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)}), rocksdb memtables ${mb(s.memtables)}, block cache ${mb(s.blockCache)} (pinned ${mb(s.pinned)}), table readers ${mb(s.tableReaders)}, rest`
}
