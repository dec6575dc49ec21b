// One apply batch over the view: reads see the batch's own writes, and the channel and meta
// records touched by several operations of the batch are read once and written once, at flush.
// Every key read or written in the batch is remembered (the batch is the only writer of the view
// while apply runs), so a key is read from the tree at most once per apply call, and `prefetch`
// reads the keys an apply call will need all at once instead of one round trip after another.
import type { HyperbeeBatch } from 'hyperbee'
import { type ChannelSpace, channelKey, channelSpace, META } from './keys.js'
import { flushCachingNodes } from './node-cache.js'
import type { Placements, RangeTag } from './placements.js'
import { type ChannelRecord, type EventRecord, eventKey, type MetaRecord, type ViewValue } from './records.js'

export class ViewTx {
  private meta: MetaRecord | null = null
  private readonly channels = new Map<string, ChannelRecord | null>()
  /** key -> its value in this batch (null: absent), for every key read or written so far */
  private readonly known = new Map<string, ViewValue | null>()
  private readonly spaces = new Map<string, ChannelSpace>()

  constructor(
    private readonly batch: HyperbeeBatch<ViewValue>,
    private readonly placements: Placements | null = null,
  ) {}

  async get<T extends ViewValue>(key: string): Promise<T | null> {
    if (this.known.has(key)) return (this.known.get(key) ?? null) as T | null
    const entry = await this.batch.get(key)
    const value = entry ? entry.value : null
    // a put of the same key may have run while this read was in flight: it wins
    if (!this.known.has(key)) this.known.set(key, value)
    return (this.known.get(key) ?? null) as T | null
  }

  /** Read these keys concurrently (their values are then answered from memory). */
  async prefetch(keys: Iterable<string>): Promise<void> {
    const todo = [...new Set(keys)].filter((k) => !this.known.has(k))
    await Promise.all(todo.map((k) => this.get(k)))
  }

  /** The last key of a range as the batch holds it, or null when the range is empty. */
  async lastKey(range: { gt: string; lt: string }): Promise<string | null> {
    return (await this.batch.peek(range, { reverse: true }))?.key ?? null
  }

  /** A key the caller knows is absent (it sorts after the last key of its range): never read. */
  absent(key: string): void {
    if (!this.known.has(key)) this.known.set(key, null)
  }

  put(key: string, value: ViewValue): Promise<void> {
    this.known.set(key, value)
    return this.batch.put(key, value)
  }

  del(key: string): Promise<void> {
    this.known.set(key, null)
    return this.batch.del(key)
  }

  async getMeta(): Promise<MetaRecord> {
    this.meta ??= (await this.get<MetaRecord>(META)) ?? { genesis: false, epoch: 0 }
    return this.meta
  }

  /** The channel record, live or deleted, or null when it never existed. */
  async channel(name: string): Promise<ChannelRecord | null> {
    if (!this.channels.has(name)) this.channels.set(name, await this.get<ChannelRecord>(channelKey(name)))
    return this.channels.get(name) ?? null
  }

  /** The live channel, created (or re-created in a new generation) when absent. */
  async ensureChannel(name: string, time: number, env: string | null): Promise<ChannelRecord> {
    const existing = await this.channel(name)
    if (existing && !existing.deleted) return existing
    const record: ChannelRecord = {
      gen: existing ? existing.gen + 1 : 1,
      env,
      created_at: time,
      deleted: false,
      msgSeq: 0,
      changeSeq: 0,
      eventSeq: 0,
      count: 0,
      last: null,
    }
    this.channels.set(name, record)
    return record
  }

  space(name: string, record: ChannelRecord): ChannelSpace {
    // one key builder per channel generation and apply call: building one makes ~20 closures,
    // and every operation of a long catch-up asks for its channel's several times
    const id = `${record.gen}/${name}`
    let space = this.spaces.get(id)
    if (!space) {
      space = channelSpace(name, record.gen)
      this.spaces.set(id, space)
    }
    return space
  }

  /** Put the item named `id` at position `seq` of one of a channel's positional ranges, and
   *  note it for the arrival order (node/view/placements.ts). */
  async place(tag: RangeTag, name: string, record: ChannelRecord, seq: number, value: ViewValue, id: string) {
    const space = this.space(name, record)
    const key = tag === 'm' ? space.message(seq) : tag === 'h' ? space.change(seq) : space.event(seq)
    this.placements?.note(tag, name, record.gen, seq, id)
    await this.put(key, value)
  }

  /** Append a channel event; its seq is the SSE event id. */
  async event(name: string, record: ChannelRecord, value: EventRecord): Promise<void> {
    record.eventSeq++
    await this.place('e', name, record, record.eventSeq, value, eventKey(value))
  }

  async flush(): Promise<void> {
    if (this.meta) await this.batch.put(META, this.meta)
    for (const [name, record] of this.channels) if (record) await this.batch.put(channelKey(name), record)
    await flushCachingNodes(this.batch)
  }
}
