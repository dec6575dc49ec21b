// One team's log: an autobase over the node's corestore whose writers are the member devices,
// and its hyperbee view. Appends are applied locally at once (local reads see them at once);
// remote writes arrive by replication and fire 'update'.
import { EventEmitter } from 'node:events'
import Autobase from 'autobase'
import type Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { type NotedNames, Placements } from '../view/placements.js'
import type { ViewValue } from '../view/records.js'
import { type ApplyContext, createApply } from './apply.js'
import { packBlocks } from './blocks.js'
import type { RemoteWriterWatch } from './remote-writers.js'
import { type SignatureChecks, signatureChecks } from './signature-checks.js'
import { SignaturesAhead } from './signatures-ahead.js'
import { prefetchWriters } from './writer-prefetch.js'

/** What notedNames reads of autobase's current apply state (not in the shared typings). */
interface ApplyStateLike {
  view: unknown
  closed: boolean
}

export class TeamLog extends EventEmitter {
  readonly base: Autobase<Hyperbee<ViewValue>>
  private closed = false
  private failure: Error | null = null
  private prefetch: RemoteWriterWatch<unknown> | null = null
  private readonly signatures: SignatureChecks
  private ahead: SignaturesAhead | null = null
  /** what apply placed at the newest positions, by name (node/view/placements.ts) */
  readonly placements = new Placements()

  constructor(store: Corestore, baseKey: Buffer | null, ctx: ApplyContext) {
    super()
    this.signatures = ctx.signatures ?? signatureChecks()
    this.base = new Autobase<Hyperbee<ViewValue>>(store, baseKey, {
      valueEncoding: 'binary',
      // every indexer acknowledges now and then, so the signed (never reordered) prefix advances
      ackInterval: 5_000,
      open: (viewStore) =>
        new Hyperbee<ViewValue>(viewStore.get('view'), {
          keyEncoding: 'utf-8',
          valueEncoding: 'json',
          extension: false,
        }),
      apply: createApply({ ...ctx, signatures: this.signatures, placements: this.placements }),
      close: (view) => view.close(),
    })
    this.base.on('update', () => {
      if (this.closed) return
      this.prefetch?.scan()
      this.ahead?.scan()
      this.emit('update')
    })
    // autobase reports replication faults here; they must not crash the node
    // (autobase closes itself after one: `failure` keeps it, so that a caller sees why)
    this.base.on('error', (err: Error) => {
      this.failure ??= err
      this.emit('warning', err)
    })
  }

  /** The fault that made autobase close itself, if it did. */
  get failed(): Error | null {
    return this.closed ? null : this.failure
  }

  async ready(): Promise<void> {
    await this.base.ready()
    // ready() resolves before autobase has drained what was applied locally but not indexed
    // before the last close; reads right after start must see all of it (startNode reads META)
    await this.base.update().catch(() => {})
    this.throwIfFailed()
    if (!this.closed) this.ahead ??= new SignaturesAhead(this.base, this.signatures)
    // opt-in (HANDOFF_WRITER_PREFETCH=1): it halves a two-indexer replication, but a new member
    // that downloads the writers' cores in full linearizes them itself instead of autobase
    // fast-forwarding it to a peer's view: 10,000 messages took 27 s and 389 MB instead of
    // 1.3 s and 148 MB (docs/benchmarks.md)
    if (process.env.HANDOFF_WRITER_PREFETCH === '1' && !this.closed) {
      this.prefetch ??= prefetchWriters(this.base)
    }
  }

  get key(): Buffer {
    return this.base.key
  }

  /**
   * The names apply noted at positions from+1 .. to of a range (node/view/placements.ts), or
   * null. Only while autobase still applies over the view they were noted over: a fast-forward
   * closes that apply state before it moves the view, and says so ('fast-forward') only after.
   */
  readonly notedNames: NotedNames = (tag, channel, gen, from, to) => {
    const state = (this.base as unknown as { _applyState: ApplyStateLike | null })._applyState
    if (!state || state.closed || state.view !== this.placements.producer) {
      this.placements.clear()
      return null
    }
    return this.placements.take(tag, channel, gen, from, to)
  }

  /** This device's writer core key: what an admin adds to make it a writer. */
  get writerKey(): Buffer {
    return this.base.local.key
  }

  get writable(): boolean {
    return this.base.writable
  }

  get view(): Hyperbee<ViewValue> {
    return this.base.view
  }

  /**
   * Append envelopes (one, or several as one local batch, one apply, and as few blocks as
   * node/log/blocks.ts allows); resolves once they are durable locally and applied to the view.
   */
  async append(envelopes: Buffer | Buffer[]): Promise<void> {
    const blocks = packBlocks(Array.isArray(envelopes) ? envelopes : [envelopes])
    // autobase takes an array as one batch; the shared typings only list the single form
    try {
      await this.base.append(blocks as unknown as Buffer)
    } catch (err) {
      this.throwIfFailed() // 'Autobase is closing' says nothing; the fault that closed it does
      throw err
    }
  }

  private throwIfFailed(): void {
    const failure = this.failed
    if (failure) throw new Error(`the team log stopped: ${failure.message}`, { cause: failure })
  }

  async update(): Promise<void> {
    await this.base.update()
  }

  /**
   * Resolves when this device becomes a writer (an admin added it); throws the fault once
   * autobase closed the log on one (it never becomes writable again until a restart).
   */
  async waitWritable(signal?: AbortSignal): Promise<void> {
    while (!this.base.writable) {
      this.throwIfFailed()
      signal?.throwIfAborted()
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          this.base.off('writable', done)
          resolve()
        }
        const timer = setTimeout(done, 500)
        this.base.on('writable', done)
      })
      await this.base.update().catch(() => {})
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.prefetch?.close()
    this.ahead?.close()
    // Autobase's close does not wait for an apply in flight: it closes the cores under it, and an
    // apply cut there can leave its system flushed without its local update record. One that made
    // a new member an indexer then named the migrated views but never migrated, and the next start
    // opened an empty view whose first append stopped the log (seen in 8 of 255 runs of
    // node/test/bridge.test.ts). So no drain starts from here and the one in flight ends first
    // (autobase checks `paused` between its rounds, so this waits for one round, not a catch-up;
    // what is left is applied at the next start).
    if (!this.failure && !this.base.closing) {
      this.base.pause()
      await this.base.advance().catch(() => {})
    }
    await this.base.close()
  }
}
