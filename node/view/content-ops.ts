// How each content operation changes the view. Called by apply (node/log/apply.ts) after the
// envelope's signature, team, author membership, role and epoch were checked. A handler returns
// a reason string to drop the operation (it then changes nothing) or null once applied.
import type { Envelope } from '../../sdk/protocol/index.js'
import { apiIdOf } from '../log/ops.js'
import type { MessageRecord, StatusRecord } from './records.js'
import type { ViewTx } from './tx.js'

export interface OpContext {
  tx: ViewTx
  envelope: Envelope
  /** envelope bytes, base64, as stored */
  env: string
  author: string
  isAdmin: boolean
}

export async function applyMessage({ tx, envelope, env, author }: OpContext): Promise<string | null> {
  const h = envelope.header
  const existing = await tx.channel(h.channel)
  const parentSpace = existing && !existing.deleted ? tx.space(h.channel, existing) : null
  let parent: { seq: number; record: MessageRecord } | null = null
  if (h.thread_id) {
    const seq = parentSpace ? await tx.get<number>(parentSpace.messageId(h.thread_id)) : null
    const record = seq !== null && parentSpace ? await tx.get<MessageRecord>(parentSpace.message(seq)) : null
    if (seq === null || !record || record.deleted) return 'thread parent not found'
    parent = { seq, record }
  }
  const channel = await tx.ensureChannel(h.channel, h.time, null)
  const space = tx.space(h.channel, channel)
  const id = apiIdOf(envelope)
  if ((await tx.get<number>(space.messageId(id))) !== null) return 'message id already used'
  const seq = ++channel.msgSeq
  const record: MessageRecord = {
    id,
    env,
    author,
    thread_id: h.thread_id || null,
    mention: h.mention || null,
    tag: h.ref,
    time: h.time,
    replies: 0,
    deleted: false,
    ev: channel.eventSeq + 1,
  }
  await tx.place('m', h.channel, channel, seq, record, id)
  await tx.put(space.messageId(id), seq)
  if (parent) {
    await tx.put(space.reply(parent.record.id, seq), seq)
    parent.record.replies++
    await tx.put(space.message(parent.seq), parent.record)
  }
  if (record.mention) await tx.put(space.mention(record.mention, seq), seq)
  if (record.tag) await tx.put(space.sender(record.tag, seq), seq)
  channel.count++
  channel.last = Math.max(channel.last ?? 0, h.time)
  await tx.event(h.channel, channel, { type: 'message', seq, id })
  return null
}

export async function applyDelete({ tx, envelope, env, author, isAdmin }: OpContext): Promise<string | null> {
  const h = envelope.header
  const channel = await tx.channel(h.channel)
  if (!channel || channel.deleted) return 'channel not found'
  const space = tx.space(h.channel, channel)
  const seq = await tx.get<number>(space.messageId(h.ref))
  const record = seq === null ? null : await tx.get<MessageRecord>(space.message(seq))
  if (seq === null || !record || record.deleted) return 'message not found'
  if (record.author !== author && !isAdmin) return 'only the author or an admin may delete a message'
  // The ciphertext leaves the view; the id index stays so cursors past it keep working.
  await tx.put(space.message(seq), { ...record, env: '', deleted: true, replies: 0 })
  if (record.thread_id) {
    await tx.del(space.reply(record.thread_id, seq))
    const parentSeq = await tx.get<number>(space.messageId(record.thread_id))
    const parent = parentSeq === null ? null : await tx.get<MessageRecord>(space.message(parentSeq))
    if (parentSeq !== null && parent && !parent.deleted) {
      await tx.put(space.message(parentSeq), { ...parent, replies: Math.max(0, parent.replies - 1) })
    }
  }
  if (record.mention) await tx.del(space.mention(record.mention, seq))
  if (record.tag) await tx.del(space.sender(record.tag, seq))
  channel.count = Math.max(0, channel.count - 1)
  await tx.event(h.channel, channel, { type: 'delete', id: record.id, thread_id: record.thread_id, env })
  return null
}

export async function applyStatus(
  { tx, envelope, env }: OpContext,
  deleting: boolean,
): Promise<string | null> {
  const h = envelope.header
  if (!h.ref) return 'status key missing'
  let channel = await tx.channel(h.channel)
  if (deleting) {
    if (!channel || channel.deleted) return 'channel not found'
    if (!(await tx.get<StatusRecord>(tx.space(h.channel, channel).status(h.ref)))) return 'status not found'
  } else {
    channel = await tx.ensureChannel(h.channel, h.time, null)
  }
  const space = tx.space(h.channel, channel)
  if (deleting) await tx.del(space.status(h.ref))
  else await tx.put(space.status(h.ref), { env })
  const seq = ++channel.changeSeq
  const id = apiIdOf(envelope)
  await tx.place('h', h.channel, channel, seq, { id, env, deleted: deleting }, id)
  await tx.put(space.changeId(id), seq)
  channel.last = Math.max(channel.last ?? 0, h.time)
  await tx.event(h.channel, channel, { type: 'status', seq, id })
  return null
}

export async function applyAck({ tx, envelope, env }: OpContext): Promise<string | null> {
  const h = envelope.header
  if (!h.ref) return 'ack without a sender tag'
  // as the seed, an ack needs no existing channel; it makes one on first use like a post
  const channel = await tx.ensureChannel(h.channel, h.time, null)
  await tx.put(tx.space(h.channel, channel).ack(h.ref), { env })
  await tx.event(h.channel, channel, { type: 'ack', env })
  return null
}

export async function applyChannelCreate({ tx, envelope, env }: OpContext): Promise<string | null> {
  const h = envelope.header
  const existing = await tx.channel(h.channel)
  if (existing && !existing.deleted) return 'channel exists'
  await tx.ensureChannel(h.channel, h.time, env)
  return null
}

export async function applyChannelDelete({ tx, envelope }: OpContext): Promise<string | null> {
  const channel = await tx.channel(envelope.header.channel)
  if (!channel || channel.deleted) return 'channel not found'
  channel.deleted = true
  return null
}
