// A channel's SSE feed on the node: the events of the channel's current generation (e/<seq>),
// replayed after the client's last event id, then followed as the view changes (local writes
// and replicated ones alike). Event ids are the per-channel seqs; a seed client's message id is
// accepted too and resumes after that message's event.
//
// Autobase may reorder the unsigned tail of the log when concurrent writes arrive, and the view
// (event seqs included) is rebuilt in the new order. A subscriber notices when the event at its
// last delivered seq is no longer the one it delivered, and then rescans a window behind it,
// skipping the operations it already sent: nothing is sent twice and nothing reordered in front
// of it is lost (within the window).
import type { StreamSubscription } from '../sdk/api/store.js'
import type { StreamEvent } from '../sdk/api/types.js'
import { decodeEnvelope } from '../sdk/protocol/index.js'
import type { DeleteBody } from './log/ops.js'
import type { NodeStore } from './store.js'
import { channelSpace, seqOf } from './view/keys.js'
import type { ChangeRecord, EventRecord } from './view/records.js'

/** How far behind its last event a subscriber looks again after a reorder. */
const RESCAN = 512
/** Passes an event whose record is not found is retried before it is skipped. */
const MAX_MISSES = 40

function keyOf(event: EventRecord): string {
  // ack and delete events carry their envelope; its signature (last 64 bytes) names it uniquely
  return event.type === 'ack' || event.type === 'delete'
    ? `${event.type}:${event.env.slice(-88)}`
    : `${event.type}:${event.id}`
}

async function startSeq(
  store: NodeStore,
  channel: string,
  lastEventId: string | null,
): Promise<number | null> {
  const ch = await store.reader.channel(channel)
  if (lastEventId === null) return ch ? ch.record.eventSeq : null
  if (/^\d{1,15}$/.test(lastEventId)) return Number(lastEventId)
  if (!ch) return 0
  const found = await store.reader.messageById(ch.space, lastEventId)
  if (found) return found.record.ev
  const seq = await store.reader.cursorSeq(ch.space, ch.record, lastEventId).catch(() => 0)
  const at = seq ? await store.reader.messageAt(ch.space, seq) : null
  return at ? at.ev : 0
}

export async function subscribeChannel(
  store: NodeStore,
  channel: string,
  lastEventId: string | null,
  onEvent: (event: StreamEvent) => void | Promise<void>,
): Promise<StreamSubscription> {
  const first = await store.channelRecord(channel)
  let gen = first && !first.deleted ? first.gen : null
  let last = (await startSeq(store, channel, lastEventId)) ?? 0
  let closed = false
  let running = false
  let again = false
  /** never replay at or below the client's own resume point */
  let floor = last
  /** recent deliveries: operation key by seq, and the keys sent */
  const sentAt = new Map<number, string>()
  const sent = new Set<string>()
  /** operations whose record was not found (yet) at their event: passes tried */
  const misses = new Map<string, number>()
  let retry = false

  const toEvent = async (seq: number, record: EventRecord): Promise<StreamEvent | null> => {
    const id = String(seq)
    const space = channelSpace(channel, gen ?? 0)
    switch (record.type) {
      case 'message': {
        // by id, not by the event's seq: a reorder between reading the event and the message
        // moves messages to other positions
        const found = await store.reader.messageById(space, record.id)
        // its id index and its record are two reads: a reorder between them yields another message
        return found && found.record.id === record.id
          ? { type: 'message', id, data: store.reader.toMessage(channel, found.record) }
          : null
      }
      case 'delete': {
        const body = store.reader.open<DeleteBody>(decodeEnvelope(Buffer.from(record.env, 'base64')))
        return {
          type: 'delete',
          id,
          data: { id: record.id, channel, thread_id: record.thread_id, deleted_by: body?.by ?? '' },
        }
      }
      case 'status': {
        const seq = await store.reader.get<number>(space.changeId(record.id))
        const change = seq === null ? null : await store.reader.get<ChangeRecord>(space.change(seq))
        return change && change.id === record.id
          ? { type: 'status', id, data: store.reader.toChange(channel, change) }
          : null
      }
      case 'ack': {
        const ack = store.reader.toAck(channel, record.env)
        return ack ? { type: 'ack', id, data: ack } : null
      }
    }
  }

  const pump = async (): Promise<void> => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        retry = false
        const record = await store.channelRecord(channel)
        if (!record || record.deleted) continue
        if (gen !== record.gen) {
          // a new generation (deleted and made again) starts its events at 1
          if (gen !== null) {
            last = 0
            floor = 0
            sentAt.clear()
            sent.clear()
          }
          gen = record.gen
        }
        const space = channelSpace(channel, gen)
        let from = last
        if (sentAt.has(last)) {
          const now = await store.reader.get<EventRecord>(space.event(last))
          if (!now || keyOf(now) !== sentAt.get(last)) from = Math.max(floor, last - RESCAN)
        }
        for await (const { key, value } of store.reader.range<EventRecord>({
          gt: space.event(from),
          lt: space.events.lt,
        })) {
          if (closed) return
          const seq = seqOf(key)
          const op = keyOf(value)
          if (sent.has(op)) continue
          const event = await toEvent(seq, value)
          if (!event && value.type !== 'ack' && (misses.get(op) ?? 0) < MAX_MISSES) {
            // not found, or found another operation: a reorder ran between reading the event and
            // its record. Not sent yet: stop here and try again shortly (marked sent, it would
            // never reach this client, and the operation read instead would come twice)
            misses.set(op, (misses.get(op) ?? 0) + 1)
            retry = true
            break
          }
          misses.delete(op)
          sent.add(op)
          sentAt.set(seq, op)
          last = Math.max(last, seq)
          if (event) await onEvent(event)
        }
        for (const [seq, op] of sentAt) {
          if (seq >= last - RESCAN) continue
          sentAt.delete(seq)
          sent.delete(op)
        }
      } while (again && !closed)
      if (retry && !closed) setTimeout(onChange, 50).unref()
    } catch (err) {
      // a read racing a reorder of the view can fail: try again shortly rather than wait for
      // the next write, which may never come
      store.emit('warning', err)
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
