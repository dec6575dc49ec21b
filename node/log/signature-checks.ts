// The Ed25519 checks of apply, on worker threads. apply verifies every envelope's signature
// before it changes the view, and at 60-80 µs of main-thread time each that was 15% of a node's
// catch-up (docs/benchmarks.md). A check needs 128 bytes per envelope (signature, author key,
// envelope id) and no state, so apply hands a batch's checks to a worker and reads the view
// meanwhile. A batch under 64 envelopes is checked inline: on 2 cores, batches of 16 gained
// nothing from a worker (its round trip and the thread's share of the CPU ate the gain), while
// batches of 500 spent ~0.45 s waiting where checking inline took ~0.8 s (docs/benchmarks.md).
// Blocks that arrive by replication are checked earlier still, as they arrive (`ahead`), so apply
// mostly finds its answers waiting. Whatever happens to a worker, every check is answered: a job a
// worker cannot finish is checked inline instead.
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { type Envelope, SIGNING_DOMAIN, signatureValid } from '../../sdk/protocol/index.js'

/** signature (64) + author key (32) + envelope id (32) */
const ITEM_BYTES = 128

// The worker's program. eval'd workers run CommonJS, so it loads sodium-native by the path the
// main thread resolved (independent of the working directory). A string, not a stringified
// function: tsx and vitest rewrite functions (helper calls the worker would not have).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const sodium = require(workerData.sodium)
const domain = Buffer.from(workerData.domain)
const message = Buffer.alloc(domain.length + 32)
domain.copy(message)
parentPort.on('message', ({ job, items }) => {
  const bytes = Buffer.from(items.buffer, items.byteOffset, items.byteLength)
  const valid = new Uint8Array(bytes.length / ${ITEM_BYTES})
  for (let i = 0; i < valid.length; i++) {
    const at = i * ${ITEM_BYTES}
    bytes.copy(message, domain.length, at + 96, at + 128)
    valid[i] = sodium.crypto_sign_verify_detached(bytes.subarray(at, at + 64), message, bytes.subarray(at + 64, at + 96)) ? 1 : 0
  }
  parentPort.postMessage({ job, valid }, [valid.buffer])
})
`

interface Job {
  items: Uint8Array
  resolve(valid: Uint8Array): void
}

export interface SignatureCheckOptions {
  /** worker threads (default: one per core beyond the main thread's, 1 to 4) */
  workers?: number
  /** batches smaller than this are checked on the calling thread (default 64) */
  inlineBelow?: number
  /** early checks (`ahead`) waiting at most; when full, no new one starts (default 32,768) */
  maxEarly?: number
  /** an early check not taken within this long is dropped (default 60 s) */
  earlyTtlMs?: number
}

/** Workers lost before the pool stops starting new ones (a thread that cannot start, say). */
const MAX_LOST = 3
/** Early checks waiting at most (~400 B each: key, promise, time): autobase fetches 256 blocks
 *  ahead of apply per writer, up to 64 envelopes a block. */
const MAX_EARLY = 32_768

/**
 * An early answer is for one (signature, author, id) triple: the id is the hash of the header
 * (author included) and the ciphertext, and the signature sits beside them, so an envelope with
 * the same id and another signature (forged, say) is another key, checked on its own.
 */
const earlyKey = (e: Envelope) => e.id.toString('hex') + e.signature.toString('hex')

export class SignatureChecks {
  private readonly size: number
  private readonly inlineBelow: number
  private readonly maxEarly: number
  private readonly earlyTtlMs: number
  private readonly workers: Array<Worker | null>
  private readonly pending = new Map<number, Job & { worker: Worker }>()
  private nextJob = 0
  /** checks started by `ahead`, by envelope id and signature, oldest first, until `check`
   *  takes them */
  private readonly early = new Map<string, { valid: Promise<boolean>; at: number }>()
  private nextAhead = 0
  /** checks answered by an early check so far (diagnostics) */
  answeredEarly = 0
  private closed = false
  private lost = 0

  constructor(options: SignatureCheckOptions = {}) {
    this.size = options.workers ?? Math.max(1, Math.min(4, availableParallelism() - 1))
    this.inlineBelow = options.inlineBelow ?? 64
    this.maxEarly = options.maxEarly ?? MAX_EARLY
    this.earlyTtlMs = options.earlyTtlMs ?? 60_000
    this.workers = new Array(this.size).fill(null)
  }

  /** Whether each envelope's signature is its author's, in order. */
  async check(envelopes: readonly Envelope[]): Promise<boolean[]> {
    const early = envelopes.map((e) => this.takeEarly(e))
    const rest = envelopes.filter((_, i) => early[i] === null)
    const checked = await this.checkNow(rest)
    let next = 0
    const valid: boolean[] = []
    for (const answer of early) valid.push(answer === null ? (checked[next++] as boolean) : await answer)
    return valid
  }

  /**
   * Start checking these now, on a worker, for a later `check` of the same envelopes: blocks that
   * arrived by replication are checked while autobase is still applying the ones before them
   * (node/log/signatures-ahead.ts). Only with a worker: inline it would merely move the work.
   */
  ahead(envelopes: readonly Envelope[]): void {
    if (!this.hasWorkers) return
    // an early check nobody took in time (its block was never applied here: a fast-forward
    // skipped it, say) is dropped; the checks still waiting are for what apply takes next, so
    // when they fill the map no new one starts (a whole core downloading at once must not keep
    // the worker busy with checks that would be dropped before apply asks)
    const now = Date.now()
    for (const [key, entry] of this.early) {
      if (now - entry.at < this.earlyTtlMs) break
      this.early.delete(key)
    }
    const room = this.maxEarly - this.early.size
    const fresh = envelopes.filter((e) => !this.early.has(earlyKey(e))).slice(0, Math.max(0, room))
    if (fresh.length === 0) return
    const answers = this.run(this.nextAhead++ % this.size, pack(fresh))
    fresh.forEach((e, i) => {
      this.early.set(earlyKey(e), { valid: answers.then((v) => v[i] === 1), at: now })
    })
  }

  /** The early answer for this envelope, if one was started for these very bytes. */
  private takeEarly(e: Envelope): Promise<boolean> | null {
    const key = earlyKey(e)
    const entry = this.early.get(key)
    if (!entry) return null
    this.early.delete(key)
    this.answeredEarly++
    return entry.valid
  }

  /** Whether checks can go to a worker (`ahead` checks nothing without one). */
  get hasWorkers(): boolean {
    return !this.closed && this.size > 0 && this.lost < MAX_LOST
  }

  private async checkNow(envelopes: readonly Envelope[]): Promise<boolean[]> {
    if (envelopes.length < this.inlineBelow || !this.hasWorkers) return envelopes.map(checkInline)
    // one share per worker, in order
    const share = Math.ceil(envelopes.length / this.size)
    const parts: Promise<Uint8Array>[] = []
    for (let w = 0, from = 0; from < envelopes.length; w++, from += share) {
      parts.push(this.run(w, pack(envelopes.slice(from, from + share))))
    }
    const valid: boolean[] = []
    for (const part of await Promise.all(parts)) for (const v of part) valid.push(v === 1)
    return valid
  }

  /** Stops the workers; later checks run inline. */
  async close(): Promise<void> {
    this.closed = true
    const running = this.workers.filter((w): w is Worker => w !== null)
    this.workers.fill(null)
    await Promise.all(running.map((w) => w.terminate()))
    for (const worker of running) this.answerInline(worker) // nothing pending remains unanswered
  }

  private run(index: number, items: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => {
      let worker: Worker
      try {
        worker = this.worker(index)
      } catch {
        this.lost++ // no thread to be had: checked here
        resolve(checkPacked(items))
        return
      }
      const job = this.nextJob++
      this.pending.set(job, { items, resolve, worker })
      worker.ref() // a check in flight keeps the process alive; an idle pool does not
      worker.postMessage({ job, items })
    })
  }

  private worker(index: number): Worker {
    const existing = this.workers[index]
    if (existing) return existing
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sodium: sodiumPath(), domain: SIGNING_DOMAIN },
    })
    worker.on('message', ({ job, valid }: { job: number; valid: Uint8Array }) => {
      const pending = this.pending.get(job)
      if (!pending) return
      this.pending.delete(job)
      if (!this.busy(worker)) worker.unref()
      pending.resolve(valid)
    })
    // a worker that fails or exits: its jobs are checked inline, the next check starts another
    const lost = () => {
      if (this.workers[index] !== worker) return // already replaced (an 'error' then its 'exit')
      this.workers[index] = null
      if (!this.closed) this.lost++
      this.answerInline(worker)
    }
    worker.on('error', lost)
    worker.on('exit', lost)
    worker.unref()
    this.workers[index] = worker
    return worker
  }

  private busy(worker: Worker): boolean {
    for (const job of this.pending.values()) if (job.worker === worker) return true
    return false
  }

  /** Answer the jobs sent to this worker on this thread. */
  private answerInline(worker: Worker): void {
    for (const [id, job] of this.pending) {
      if (job.worker !== worker) continue
      this.pending.delete(id)
      job.resolve(checkPacked(job.items))
    }
    worker.unref()
  }
}

let resolvedSodium: string | null = null
function sodiumPath(): string {
  resolvedSodium ??= createRequire(import.meta.url).resolve('sodium-native')
  return resolvedSodium
}

function pack(envelopes: readonly Envelope[]): Uint8Array {
  const items = new Uint8Array(envelopes.length * ITEM_BYTES)
  envelopes.forEach((e, i) => {
    const at = i * ITEM_BYTES
    items.set(e.signature, at)
    items.set(e.header.author, at + 64)
    items.set(e.id, at + 96)
  })
  return items
}

function checkInline(e: Envelope): boolean {
  return signatureValid(e.signature, e.header.author, e.id)
}

function checkPacked(items: Uint8Array): Uint8Array {
  const valid = new Uint8Array(items.byteLength / ITEM_BYTES)
  for (let i = 0; i < valid.length; i++) {
    const at = i * ITEM_BYTES
    valid[i] = signatureValid(
      items.subarray(at, at + 64),
      items.subarray(at + 64, at + 96),
      items.subarray(at + 96, at + 128),
    )
      ? 1
      : 0
  }
  return valid
}

/** The process's checks, started on first use (workers idle unref'd: they never hold it open). */
let shared: SignatureChecks | null = null
export function signatureChecks(): SignatureChecks {
  shared ??= new SignatureChecks()
  return shared
}
