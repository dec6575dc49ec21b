// A channel's SSE feed on the node: the events of the channel's current generation (e/<seq>),
// replayed after the client's last event id, then followed as the view changes (local writes
// and replicated ones alike). Event ids are the per-channel seqs; a seed client's message id is
// accepted too and resumes after that message's event.
import type { StreamSubscription } from '../sdk/api/store.js'
import type { StreamEvent } from '../sdk/api/types.js'
import { decodeEnvelope } from '../sdk/protocol/index.js'
import type { DeleteBody } from './log/ops.js'
import type { NodeStore } from './store.js'
import { channelSpace, seqOf } from './view/keys.js'
import type { ChangeRecord, EventRecord, MessageRecord } from './view/records.js'

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

  const toEvent = async (seq: number, record: EventRecord): Promise<StreamEvent | null> => {
    const id = String(seq)
    const space = channelSpace(channel, gen ?? 0)
    switch (record.type) {
      case 'message': {
        const m = await store.reader.get<MessageRecord>(space.message(record.seq))
        return m && !m.deleted ? { type: 'message', id, data: store.reader.toMessage(channel, m) } : null
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
        const change = await store.reader.get<ChangeRecord>(space.change(record.seq))
        return change ? { type: 'status', id, data: store.reader.toChange(channel, change) } : null
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
        const record = await store.channelRecord(channel)
        if (!record || record.deleted) continue
        if (gen !== record.gen) {
          // a new generation (deleted and made again) starts its events at 1
          if (gen !== null) last = 0
          gen = record.gen
        }
        const space = channelSpace(channel, gen)
        for await (const { key, value } of store.reader.range<EventRecord>({
          gt: space.event(last),
          lt: space.events.lt,
        })) {
          if (closed) return
          const seq = seqOf(key)
          const event = await toEvent(seq, value)
          last = seq
          if (event) await onEvent(event)
        }
      } while (again && !closed)
    } catch (err) {
      store.emit('warning', err)
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
