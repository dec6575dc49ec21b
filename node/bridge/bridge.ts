// The node <-> relay bridge (`--relay URL --relay-key KEY`): pushes every envelope of the team
// log the relay lacks (node/bridge/outbox.ts), pulls and follows the relay's sync log of the
// team and appends each envelope this node has not applied yet to its own writer. Envelopes are
// self-authenticating (apply checks author signature, membership and epoch), so which writer
// carries one does not matter, and apply's dedupe by envelope id makes the relay path and the
// peer-to-peer path together apply each operation once. Cursors live in DIR/relay-sync.json.
// Nothing here may crash the node: relay failures become state and a backoff, never a throw.
import { SYNC_MAX_PULL, SYNC_MAX_PUSH } from '../../sdk/api/sync.js'
import { backoffDelay, resolveRetry, sleep } from '../../sdk/client/backoff.js'
import { type PulledEnvelope, RelaySync } from '../../sdk/client/relay-sync.js'
import { decodeEnvelope, type Envelope, envelopeIdHex } from '../../sdk/protocol/index.js'
import { appliedIn } from '../view/applied.js'
import { droppedKey } from '../view/keys.js'
import type { MemberRecord } from '../view/records.js'
import { registerBridge } from './access.js'
import { RelayHttp } from './http.js'
import { MessageGateway, repeatsUnclaimed } from './messages.js'
import { Outbox } from './outbox.js'
import { type BridgeCursors, readCursors, writeCursors } from './state.js'
import type { BridgeStatus, RelayBridgeOptions } from './types.js'

/** Fatal relay answers (bad key, no access) are retried this much later, not hammered. */
const FATAL_RETRY_MS = 30_000
/** a pushed-or-pulled id memory bound; forgetting costs a duplicate push the relay ignores */
const SEEN_MAX = 100_000

export class RelayBridge {
  private readonly relay: RelaySync
  private readonly outbox: Outbox
  private readonly gateway: MessageGateway | null
  private readonly controller = new AbortController()
  private readonly retry
  private cursors: BridgeCursors | null = null
  /** ids this bridge read from the relay: never pushed back */
  private readonly fromRelay = new Set<string>()
  /** whether the live view marks an envelope applied (node/view/applied.ts) */
  private readonly applied = appliedIn(async (key) => (await this.options.log.view.get(key))?.value ?? null)
  private dirty = true
  private wake: (() => void) | null = null
  private saving: Promise<void> = Promise.resolve()
  private saveTimer: NodeJS.Timeout | null = null
  private loops: Promise<unknown>[] = []
  private streamOpen = false
  private closed = false
  private readonly stats = {
    sent: 0,
    pending: 0,
    pushAt: null as string | null,
    received: 0,
    applied: 0,
    pullAt: null as string | null,
    error: null as string | null,
  }

  constructor(private readonly options: RelayBridgeOptions) {
    this.retry = resolveRetry({ minDelayMs: 500, maxDelayMs: 30_000, ...options.retry })
    const base = fetch
    // the stream's response tells us the relay is reachable before any envelope flows
    const tracked: typeof fetch = async (input, init) => {
      const res = await base(input, init)
      if (!String(input).includes('/stream') || !res.ok || !res.body) return res
      this.streamOpen = true
      // a stream that ends cleanly (relay shutdown) must not leave 'connected' behind while
      // RelaySync waits to reconnect; one that fails is reported through onError
      const body = res.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          flush: () => {
            this.streamOpen = false
          },
        }),
      )
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers })
    }
    this.relay = new RelaySync({ url: options.url, key: options.key, fetch: tracked, timeoutMs: 20_000 })
    this.outbox = new Outbox(options.corestore)
    const http = new RelayHttp(options.url, options.key, this.controller.signal)
    // the node's invite host answers joiners through this relay while the bridge runs
    registerBridge(options.log, { url: options.url, key: options.key }, this.controller.signal)
    this.gateway = options.store
      ? new MessageGateway(options.store, this.relay, http, () => this.cursors as BridgeCursors, {
          url: options.url,
          key: options.key,
          signal: this.controller.signal,
        })
      : null
  }

  private get signal(): AbortSignal {
    return this.controller.signal
  }

  private get url(): string {
    return this.options.url.replace(/\/+$/, '')
  }

  /** Starts syncing in the background; resolves once the cursors are loaded. */
  async start(): Promise<void> {
    this.cursors = await readCursors(this.options.dataDir, this.url, this.options.teamId)
    this.options.log.on('update', this.kick)
    this.loops = [this.pushLoop(), this.pullLoop(), this.importLoop()].map((p) =>
      p.catch((err) => this.warn(err)),
    )
  }

  status(): BridgeStatus {
    const c = this.cursors
    // connected = the live sync stream is open: a push that went through says little about now
    const connected = !this.closed && this.streamOpen
    return {
      configured: true,
      url: this.url,
      state: this.closed ? 'closed' : connected ? 'connected' : c ? 'disconnected' : 'starting',
      connected,
      space: this.options.teamId,
      push: {
        cursors: { ...(c?.push ?? {}) },
        sent: this.stats.sent,
        pending: this.stats.pending,
        last_at: this.stats.pushAt,
      },
      pull: {
        cursor: c?.pull ?? '0',
        received: this.stats.received,
        applied: this.stats.applied,
        last_at: this.stats.pullAt,
      },
      lag: this.stats.pending,
      messages: this.gateway ? { ...this.gateway.stats } : null,
      last_error: this.stats.error,
    }
  }

  private readonly kick = (): void => {
    this.dirty = true
    this.wake?.()
  }

  private warn(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err))
    this.stats.error = error.message
    this.options.onWarning?.(error)
  }

  /** Sleep until kicked, `ms` passes or close. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.signal.removeEventListener('abort', done)
        this.wake = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.signal.addEventListener('abort', done)
      this.wake = done
    })
  }

  private async backoff(attempt: number, fatal = false): Promise<void> {
    await sleep(fatal ? FATAL_RETRY_MS : backoffDelay(attempt, this.retry), this.signal).catch(() => {})
  }

  /** This device's writer and every member device's writer the view knows. */
  private async writers(): Promise<string[]> {
    const log = this.options.log
    const out = new Set<string>([log.writerKey.toString('hex')])
    for await (const entry of log.view.createReadStream({ gt: 'mb/', lt: 'mb0' })) {
      const writer = (entry.value as MemberRecord | null)?.writer
      if (typeof writer === 'string') out.add(writer)
    }
    return [...out]
  }

  private remember(id: string): void {
    if (this.fromRelay.size >= SEEN_MAX) this.fromRelay.clear()
    this.fromRelay.add(id)
  }

  private async pushLoop(): Promise<void> {
    let attempt = 0
    while (!this.signal.aborted) {
      if (!this.dirty) {
        // 'update' wakes us; the timer also catches blocks that replicate without one
        await this.idle(5_000)
        this.dirty = true
        continue
      }
      this.dirty = false
      try {
        await this.pushAll()
        attempt = 0
      } catch (err) {
        if (this.signal.aborted) break
        this.warn(err)
        this.dirty = true
        await this.backoff(attempt++, isFatal(err))
      }
    }
  }

  /** Push until the outbox has nothing more it can send now. */
  private async pushAll(): Promise<void> {
    const cursors = this.cursors as BridgeCursors
    for (;;) {
      const writers = await this.writers()
      const batch = await this.outbox.next(writers, cursors.push, SYNC_MAX_PUSH, (id) =>
        this.fromRelay.has(id),
      )
      if (batch.items.length > 0) {
        // the lag until this push succeeds (status while the relay is down)
        this.stats.pending = await this.outbox.pending(writers, cursors.push)
        const results = await this.relay.push(batch.items.map((i) => i.bytes))
        // a failed mirror must not hold the log back: warned, and that message stays node-only
        await this.gateway?.mirror(batch.items, results, (err) => this.warn(err))
        this.stats.sent += batch.items.length
        this.stats.pushAt = new Date().toISOString()
        this.stats.error = null
      }
      const moved = writers.some((w) => (batch.next[w] ?? 0) !== (cursors.push[w] ?? 0))
      cursors.push = batch.next
      this.stats.pending = batch.remaining
      // after a push the cursor is saved at once (a restart must not re-send much); a cursor that
      // only skipped acks and pulled envelopes can wait (a catch-up would fsync per envelope)
      if (moved && batch.items.length > 0) await this.save()
      else if (moved) this.saveSoon()
      if (!moved || batch.remaining === 0) return
    }
  }

  private async pullLoop(): Promise<void> {
    const log = this.options.log
    let attempt = 0
    // pulled envelopes go into this device's writer: wait until an admin made it one
    await log.waitWritable(this.signal).catch(() => {})
    while (!this.signal.aborted) {
      try {
        await this.catchUp()
        attempt = 0
        await this.relay.follow(this.options.teamId, this.cursors?.pull ?? '0', (e) => this.receive([e]), {
          signal: this.signal,
          retry: { minDelayMs: this.retry.minDelayMs, maxDelayMs: this.retry.maxDelayMs },
          onError: (err) => {
            this.streamOpen = false
            this.warn(err)
          },
        })
      } catch (err) {
        if (this.signal.aborted) break
        this.streamOpen = false
        this.warn(err)
        await this.backoff(attempt++, isFatal(err))
      }
    }
  }

  /** HTTP clients' messages into the log, polled (the relay's channel streams are per channel). */
  private async importLoop(): Promise<void> {
    const gateway = this.gateway
    if (!gateway) return
    let attempt = 0
    while (!this.signal.aborted) {
      try {
        await gateway.importNew(
          this.cursors as BridgeCursors,
          () => this.save(),
          (err) => this.warn(err),
        )
        attempt = 0
        // not idle(): that wakes on log updates, which are the push loop's
        await sleep(this.options.pollMs ?? 2_000, this.signal).catch(() => {})
      } catch (err) {
        if (this.signal.aborted) break
        this.warn(err)
        await this.backoff(attempt++, isFatal(err))
      }
    }
  }

  /** Page through what the relay holds past the cursor (the stream then carries live ones). */
  private async catchUp(): Promise<void> {
    for (;;) {
      const cursors = this.cursors as BridgeCursors
      const page = await this.relay.pull(this.options.teamId, cursors.pull, SYNC_MAX_PULL)
      if (this.signal.aborted) return
      await this.receive(page.envelopes)
      if (!page.has_more || page.envelopes.length === 0) return
    }
  }

  /**
   * Append the relay envelopes the view has neither applied nor dropped, in order, as one append
   * (so a catch-up's page shares blocks, node/log/blocks.ts, instead of one block and one apply
   * per envelope).
   */
  private async receive(page: PulledEnvelope[]): Promise<void> {
    const cursors = this.cursors as BridgeCursors
    const fresh: Buffer[] = []
    const repeats: Array<{ envelope: Envelope; id: string }> = []
    const seen = new Set<string>() // the same envelope twice in a page is appended once
    for (const e of page) {
      const envelope = this.ours(e.data)
      if (!envelope) continue // not an envelope of this team: nothing to apply
      // the relay's `id` is not trusted: the id is what the bytes hash to
      const id = envelopeIdHex(envelope)
      if (seen.has(id)) continue
      seen.add(id)
      this.remember(id)
      const applied = await this.applied(envelope.header.time, id)
      if (!applied && !(await this.options.log.view.get(droppedKey(id)))) fresh.push(e.data)
      if (this.gateway && repeatsUnclaimed(envelope.header)) repeats.push({ envelope, id })
    }
    if (fresh.length > 0) {
      const log = this.options.log
      const before = log.base.local.length
      await log.append(fresh)
      // blocks the push loop has not looked at yet: until it has (and skipped them, the relay has
      // them), `lag` must not read 0, or a node closed on that word re-sends them after a
      // restart (the pulled ids are known in memory only)
      this.stats.pending += log.base.local.length - before
    }
    this.stats.received += page.length
    this.stats.applied += fresh.length
    if (page.length > 0) this.stats.pullAt = new Date().toISOString()
    // applied, so verified: an Ack or Delete a member's bridge pushed may be ours to repeat
    for (const { envelope, id } of repeats) {
      if (this.signal.aborted) return
      if (await this.applied(envelope.header.time, id))
        await this.gateway?.mirrorUnclaimed(envelope).catch((err) => this.warn(err))
    }
    const last = page[page.length - 1]
    if (last) cursors.pull = last.cursor
    this.saveSoon()
  }

  /** The bytes as an envelope of this team, or null. */
  private ours(bytes: Buffer): Envelope | null {
    try {
      const envelope = decodeEnvelope(bytes)
      if (envelope.header.team.toString('hex') !== this.options.teamId) return null
      this.gateway?.observe(envelope)
      return envelope
    } catch {
      return null
    }
  }

  private saveSoon(): void {
    if (this.saveTimer) return
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null
      void this.save().catch((err) => this.warn(err))
    }, 200)
  }

  /** Write the cursors (one write at a time, the latest state wins). */
  private save(): Promise<void> {
    const run = this.saving.then(() => {
      if (this.cursors) return writeCursors(this.options.dataDir, this.cursors)
    })
    this.saving = run.catch(() => {})
    return run
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.controller.abort()
    this.options.log.off('update', this.kick)
    // a sync request in flight cannot be aborted (RelaySync times out after 20 s): do not let a
    // black-holed relay hold up the node's shutdown; what it would still do fails harmlessly
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.all(this.loops),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 3_000)
      }),
    ])
    clearTimeout(timer)
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
    await this.save().catch(() => {})
    await this.outbox.close()
  }
}

function isFatal(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status
  return status === 400 || status === 401 || status === 403 || status === 404
}
