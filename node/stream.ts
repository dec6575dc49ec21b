// A channel's SSE feed on the node: the events of the channel's current generation in this
// node's arrival order (node/arrivals.ts, EVENTS feed), replayed after the client's last event id
// and then followed as the view changes (local writes and replicated ones alike).
//
// Event ids are arrival positions, so they only grow on this node: autobase may reorder the
// unsigned tail of the log when concurrent writes arrive (a partition heals), but an event that
// lands before positions a subscriber already got gets a new, higher id, and a client resuming
// with Last-Event-ID (live, or after a disconnect) receives every event it has not seen, once.
// A seed client's message id is accepted as Last-Event-ID too and resumes after that message's
// event.
import type { StreamSubscription } from '../sdk/api/store.js'
import type { StreamEvent } from '../sdk/api/types.js'
import { parseEnvelope } from '../sdk/protocol/index.js'
import { EVENTS } from './arrival-feeds.js'
import { type Arrivals, type Mark, StaleArrivals } from './arrivals.js'
import type { DeleteBody } from './log/ops.js'
import type { NodeStore } from './store.js'
import { type ChannelSpace, channelSpace } from './view/keys.js'
import type { ChangeRecord, EventRecord } from './view/records.js'

/** Passes retried (100 ms apart) while an event's item is missing, before it is skipped. */
const STALE_TRIES = 10

/** Where a Last-Event-ID points in the events' arrival order. */
async function startAseq(
  store: NodeStore,
  arrivals: Arrivals,
  channel: string,
  mark: Mark | null,
  lastEventId: string | null,
): Promise<number> {
  if (lastEventId === null) return mark?.last ?? 0
  if (/^\d{1,15}$/.test(lastEventId)) return Number(lastEventId)
  if (!mark) return 0
  const space = channelSpace(channel, mark.gen)
  const reader = store.reader
  const found = await reader.messageById(space, lastEventId)
  let id = found?.record.id ?? null
  if (!found) {
    // an id this channel never held: after the last message at or before it in time
    const ch = await reader.channel(channel)
    const seq = ch ? await reader.cursorSeq(space, ch.record, lastEventId).catch(() => 0) : 0
    id = seq ? ((await reader.messageAt(space, seq))?.id ?? null) : null
  }
  if (id === null) return 0
  return (await arrivals.aseqOf(channel, mark, space, `message:${id}`, EVENTS)) ?? 0
}

async function toEvent(
  store: NodeStore,
  channel: string,
  space: ChannelSpace,
  aseq: number,
  record: EventRecord,
  skipMissing: boolean,
): Promise<StreamEvent | null> {
  const id = String(aseq)
  const reader = store.reader
  switch (record.type) {
    case 'message': {
      const found = await reader.messageById(space, record.id)
      if (found) return { type: 'message', id, data: reader.toMessage(channel, found.record) }
      // deleted since (its delete event follows), or not in the view this instant: a reorder is
      // rebuilding it, so sync and come back rather than skip it for good
      if (!skipMissing && (await reader.get<number>(space.messageId(record.id))) === null)
        throw new StaleArrivals(`message ${record.id} is not in the view now`)
      return null
    }
    case 'delete': {
      // apply verified it before it entered the view: no id hash nor copies needed (read.ts)
      const body = reader.open<DeleteBody>(parseEnvelope(Buffer.from(record.env, 'base64')))
      return {
        type: 'delete',
        id,
        data: { id: record.id, channel, thread_id: record.thread_id, deleted_by: body?.by ?? '' },
      }
    }
    case 'status': {
      const seq = await reader.get<number>(space.changeId(record.id))
      const change = seq === null ? null : await reader.get<ChangeRecord>(space.change(seq))
      if (change) {
        const data = reader.toChange(channel, change)
        return data ? { type: 'status', id, data } : null
      }
      if (!skipMissing) throw new StaleArrivals(`status change ${record.id} is not in the view now`)
      return null
    }
    case 'ack': {
      const ack = reader.toAck(channel, record.env)
      return ack ? { type: 'ack', id, data: ack } : null
    }
  }
}

export async function subscribeChannel(
  store: NodeStore,
  channel: string,
  lastEventId: string | null,
  onEvent: (event: StreamEvent) => void | Promise<void>,
): Promise<StreamSubscription> {
  const arrivals = store.reader.arrivals
  if (!arrivals) throw new Error('node streams need the arrival index (startNode sets it)')
  const first = await arrivals.sync(channel, undefined, EVENTS)
  let gen = first?.gen ?? null
  let last = await startAseq(store, arrivals, channel, first, lastEventId)
  let closed = false
  let running = false
  let again = false
  /** passes in a row that met an item the view did not hold (see StaleArrivals) */
  let stale = 0

  const pump = async (): Promise<void> => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        const mark = await arrivals.sync(channel, undefined, EVENTS)
        if (!mark) continue
        if (gen !== mark.gen) {
          // a new generation (deleted and made again) starts its events at 1
          if (gen !== null) last = 0
          gen = mark.gen
        }
        const space = channelSpace(channel, gen)
        const skipMissing = stale >= STALE_TRIES
        const walk = arrivals.walk<EventRecord>(channel, mark, space, last, { feed: EVENTS, skipMissing })
        for await (const { aseq, record } of walk) {
          if (closed) return
          const event = await toEvent(store, channel, space, aseq, record, skipMissing)
          last = aseq
          if (event) await onEvent(event)
        }
        stale = 0
      } while (again && !closed)
    } catch (err) {
      // a read racing a reorder of the view (StaleArrivals among them) can fail: sync and try
      // again shortly rather than wait for the next write, which may never come
      if (err instanceof StaleArrivals) stale++
      else store.emit('warning', err)
      if (!closed) setTimeout(onChange, 100).unref()
    } finally {
      running = false
    }
  }

  const onChange = () => {
    if (!closed) void pump()
  }
  store.on('change', onChange)
  store.log.on('update', onChange)
  await pump()
  return {
    async close() {
      closed = true
      store.off('change', onChange)
      store.log.off('update', onChange)
    },
  }
}
