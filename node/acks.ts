// Read watermarks on the node: a sender's ack per channel (a/<sender tag> in the view), written
// as an Ack operation that never moves the watermark backwards, and the unread page after it.
import type { Ack, MessagePage } from '../sdk/api/types.js'
import { OpType, sealContent } from './log/ops.js'
import { readMessagePage } from './messages.js'
import type { NodeStore } from './store.js'
import { compareIds } from './view/read.js'
import type { AckRecord } from './view/records.js'

async function currentAck(store: NodeStore, channel: string, sender: string): Promise<Ack | null> {
  const ch = await store.reader.channel(channel)
  const record = ch ? await store.reader.get<AckRecord>(ch.space.ack(store.senderTag(sender))) : null
  return record ? store.reader.toAck(channel, record.env) : null
}

export function writeAck(
  store: NodeStore,
  channel: string,
  sender: string,
  lastReadId: string,
): Promise<Ack> {
  // keyed per sender and channel: the check below and the append it guards must not interleave
  // with another ack of the same sender (two could both pass it and land in either order)
  return store.serial(async () => {
    const id = lastReadId === '0' ? '0-0' : lastReadId
    const current = await currentAck(store, channel, sender)
    // as the seed, a sender's watermark never moves backwards
    if (current && compareIds(current.last_read_id, id) >= 0) return current
    await store.appendEnvelope(
      sealContent(store.keys, {
        type: OpType.Ack,
        channel,
        ref: store.senderTag(sender),
        body: { sender, last_read_id: id },
      }),
    )
    return (
      (await currentAck(store, channel, sender)) ?? {
        channel,
        sender,
        last_read_id: id,
        acked_at: new Date().toISOString(),
      }
    )
  }, `a/${channel}/${sender}`)
}

export async function listAcks(store: NodeStore, channel: string): Promise<Ack[]> {
  const ch = await store.reader.channel(channel)
  if (!ch) return []
  return store.reader.listOpened(
    ch.space.acks,
    (env) => store.reader.toAck(channel, env),
    (ack) => ack.sender,
  )
}

export async function readUnread(
  store: NodeStore,
  channel: string,
  sender: string,
  limit: number,
): Promise<MessagePage> {
  const ack = await currentAck(store, channel, sender)
  const query = { after_id: ack?.last_read_id ?? '0-0', limit }
  return readMessagePage(store.reader, channel, query, null, store.senderTag(sender))
}
