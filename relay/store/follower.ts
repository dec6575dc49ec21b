// Following a Redis stream for this relay instance. Every write appends to a stream and
// PUBLISHes a wake-up. One Feed per stream per instance listens for the wake-up and reads the
// new entries by cursor with XRANGE, then fans them out to that instance's listeners: pub/sub
// only says "look", the stream says what, so a lost wake-up (reconnect) costs latency until
// the next poll, never an entry.
//
// A listener joins the feed first (buffering), then replays from its cursor to the end of the
// stream, then drains its buffer: every id is compared with the listener's cursor, so an entry
// seen both ways is delivered once, and none falls between replay and live.
//
// When Redis cannot be reached (the subscriber connection drops, a read fails), every listener
// concerned is told once through its `onError`, so a consumer such as an SSE stream can end with a
// last error event (its client resumes by Last-Event-ID) instead of hanging silently; a listener
// that stays open still resumes from its cursor once Redis is back.
import { ApiError } from '../../sdk/api/errors.js'
import type { StreamSubscription } from '../../sdk/api/store.js'
import type { StoreContext } from './context.js'
import { type Item, Listener, type OnError, type OnItem, unavailable } from './follower-listener.js'
import { compareIds, fieldsOf, type StreamEntry } from './ids.js'

const READ_BATCH = 500
/** a stream that cannot start (Redis down) answers UNAVAILABLE instead of hanging */
const READY_TIMEOUT_MS = 5_000
/** safety net for wake-ups lost while the pub/sub connection was down */
const POLL_INTERVAL_MS = 5_000

/** A followable stream: where it is, where its wake-ups come, and how to read an entry. */
export interface FeedSpec<T extends Item> {
  stream: string
  notify: string
  parse(id: string, fields: Record<string, string>): T | null
  /** fill in what replayed items need beyond their stream entry (e.g. reply counts) */
  enrich?(items: T[]): Promise<void>
}

class Feed<T extends Item> {
  readonly listeners = new Set<Listener<T>>()
  readonly ready: Promise<void>
  private cursor = '0-0'
  private reading = false
  private again = false
  private unsubscribe: (() => void) | undefined
  private closed = false
  /** wake-ups before the cursor is known would read the whole stream: they wait for it */
  private initialized = false

  constructor(
    private readonly ctx: StoreContext,
    readonly spec: FeedSpec<T>,
  ) {
    this.ready = (async () => {
      const unsubscribe = await ctx.pubsub.subscribe(spec.notify, () => this.poke())
      // closed while the SUBSCRIBE was pending (its only listener gave up): undo it
      if (this.closed) return unsubscribe()
      this.unsubscribe = unsubscribe
      this.cursor = (await lastId(ctx, spec.stream)) ?? '0-0'
      this.initialized = true
      this.poke()
    })()
    // awaited by every follower (with a timeout); this only keeps a late failure from being unhandled
    this.ready.catch(() => {})
  }

  poke(): void {
    if (this.closed || !this.initialized) return
    if (this.reading) {
      this.again = true
      return
    }
    this.reading = true
    void this.read()
  }

  private async read(): Promise<void> {
    try {
      do {
        this.again = false
        for (;;) {
          const entries = (await this.ctx.redis.xrange(
            this.spec.stream,
            `(${this.cursor}`,
            '+',
            'COUNT',
            READ_BATCH,
          )) as StreamEntry[]
          for (const [id, flat] of entries) {
            this.cursor = id
            const event = this.spec.parse(id, fieldsOf(flat))
            if (event) for (const l of this.listeners) l.live(event)
          }
          if (entries.length < READ_BATCH) break
        }
      } while (this.again && !this.closed)
    } catch {
      // Redis unreachable: the next wake-up or poll reads again from the same cursor, and the
      // listeners are told, since until then they receive nothing
      for (const l of this.listeners) l.fail(unavailable())
    } finally {
      this.reading = false
    }
  }

  close(): void {
    this.closed = true
    this.unsubscribe?.()
    for (const l of this.listeners) l.closed = true
    this.listeners.clear()
  }
}

async function readyWithin(ready: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ApiError('UNAVAILABLE', 'Storage is unavailable, retry shortly', { retryAfter: 1 })),
      ms,
    )
  })
  try {
    await Promise.race([ready, late])
  } finally {
    clearTimeout(timer)
  }
}

async function lastId(ctx: StoreContext, stream: string): Promise<string | null> {
  const last = (await ctx.redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as StreamEntry[]
  return last[0]?.[0] ?? null
}

/** Follows streams for this relay instance: one Feed (one SUBSCRIBE, one reader) per stream. */
export class StreamFollower {
  private readonly feeds = new Map<string, Feed<any>>()
  private readonly timer: NodeJS.Timeout
  private readonly offReconnect: () => void
  private readonly offDisconnect: () => void

  constructor(private readonly ctx: StoreContext) {
    const pokeAll = () => {
      for (const feed of this.feeds.values()) feed.poke()
    }
    this.timer = setInterval(pokeAll, POLL_INTERVAL_MS)
    this.timer.unref()
    this.offReconnect = ctx.pubsub.onReconnect(pokeAll)
    // no wake-ups (and no key revocations) can arrive while the subscriber connection is down
    this.offDisconnect = ctx.pubsub.onDisconnect(() => {
      for (const feed of this.feeds.values()) for (const l of feed.listeners) l.fail(unavailable())
    })
  }

  /**
   * Every item after `from` (null: only new ones), then live ones, each once, in order.
   * `onError` is called at most once if Redis becomes unreachable while the subscription is open.
   */
  async follow<T extends Item>(
    spec: FeedSpec<T>,
    from: string | null,
    onItem: OnItem<T>,
    onError?: OnError,
  ): Promise<StreamSubscription> {
    let feed = this.feeds.get(spec.stream) as Feed<T> | undefined
    if (!feed) {
      feed = new Feed(this.ctx, spec)
      this.feeds.set(spec.stream, feed)
    }
    const listener: Listener<T> = new Listener<T>(
      from ?? '0-0',
      onItem,
      () => this.resync(spec, listener),
      onError,
    )
    feed.listeners.add(listener)
    try {
      await readyWithin(feed.ready, READY_TIMEOUT_MS)
      if (from === null) listener.cursor = (await lastId(this.ctx, spec.stream)) ?? '0-0'
      await this.replay(spec, listener)
    } catch (err) {
      this.leave(spec.stream, listener)
      throw err
    }
    return { close: async () => this.leave(spec.stream, listener) }
  }

  /** A consumer that fell behind caught up: read what it missed from the stream, then live again. */
  private resync<T extends Item>(spec: FeedSpec<T>, listener: Listener<T>): void {
    if (listener.closed) return
    this.replay(spec, listener).catch(() => {
      // Redis unreachable: try again shortly, still from the listener's cursor
      listener.fail(unavailable())
      setTimeout(() => this.resync(spec, listener), 1_000).unref()
    })
  }

  /** Deliver everything after the listener's cursor from the stream, then switch it to live. */
  private async replay<T extends Item>(spec: FeedSpec<T>, listener: Listener<T>): Promise<void> {
    listener.buffer = []
    listener.lagging = false
    for (;;) {
      if (listener.closed) return
      const entries = (await this.ctx.redis.xrange(
        spec.stream,
        `(${listener.cursor}`,
        '+',
        'COUNT',
        READ_BATCH,
      )) as StreamEntry[]
      const items = entries
        .map(([id, flat]) => spec.parse(id, fieldsOf(flat)))
        .filter((e): e is T => e !== null)
      if (spec.enrich && items.length > 0) await spec.enrich(items)
      let last: Promise<void> = Promise.resolve()
      for (const item of items) last = listener.deliver(item)
      // entries of unknown types are skipped but still move the cursor
      const tail = entries[entries.length - 1]
      if (tail && compareIds(tail[0], listener.cursor) > 0) listener.cursor = tail[0]
      await last
      if (entries.length < READ_BATCH) {
        if (!listener.lagging) break
        // the buffer overflowed while replaying: what it dropped is in the stream, read on
        listener.buffer = []
        listener.lagging = false
      }
    }
    const buffered = listener.buffer ?? []
    listener.buffer = null
    for (const item of buffered) void listener.deliver(item)
  }

  private leave(stream: string, listener: Listener<any>): void {
    listener.closed = true
    const feed = this.feeds.get(stream)
    if (!feed) return
    feed.listeners.delete(listener)
    if (feed.listeners.size === 0) {
      feed.close()
      this.feeds.delete(stream)
    }
  }

  close(): void {
    clearInterval(this.timer)
    this.offReconnect()
    this.offDisconnect()
    for (const feed of this.feeds.values()) feed.close()
    this.feeds.clear()
  }
}
