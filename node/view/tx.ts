// One apply batch over the view: reads see the batch's own writes, and the channel and meta
// records touched by several operations of the batch are read once and written once, at flush.
import type { HyperbeeBatch } from 'hyperbee'
import { type ChannelSpace, channelKey, channelSpace, META } from './keys.js'
import type { ChannelRecord, MetaRecord, ViewValue } from './records.js'

export class ViewTx {
  private meta: MetaRecord | null = null
  private readonly channels = new Map<string, ChannelRecord | null>()

  constructor(private readonly batch: HyperbeeBatch<ViewValue>) {}

  async get<T extends ViewValue>(key: string): Promise<T | null> {
    const entry = await this.batch.get(key)
    return entry ? (entry.value as T) : null
  }

  put(key: string, value: ViewValue): Promise<void> {
    return this.batch.put(key, value)
  }

  del(key: string): Promise<void> {
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
    return channelSpace(name, record.gen)
  }

  /** Append a channel event; its seq is the SSE event id. */
  async event(name: string, record: ChannelRecord, value: ViewValue): Promise<void> {
    record.eventSeq++
    await this.put(this.space(name, record).event(record.eventSeq), value)
  }

  async flush(): Promise<void> {
    if (this.meta) await this.batch.put(META, this.meta)
    for (const [name, record] of this.channels) if (record) await this.batch.put(channelKey(name), record)
    await this.batch.flush()
  }
}
