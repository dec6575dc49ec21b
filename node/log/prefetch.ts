// Before apply changes anything, it reads every view key its operations will look up, all at
// once: the dedupe marks, the authors' member records, the channels, and the message ids that
// posts, replies and deletes check. Reads one after another cost a thread-pool round trip each
// (about 30 per message before this); issued together they overlap. What the batch then writes
// is answered from the ViewTx's memory, so the prefetched values never go stale within a call.
import type { Envelope } from '../../sdk/protocol/index.js'
import { markKeyOf } from '../view/applied.js'
import { channelKey, META, memberKey } from '../view/keys.js'
import type { MetaRecord } from '../view/records.js'
import type { ViewTx } from '../view/tx.js'
import { apiIdOf, OpType } from './ops.js'

/** One block of the log, decoded and verified (or why not). */
export interface Decoded {
  /** envelope id hex, or the hash of the raw bytes when they are not a valid envelope */
  id: string
  envelope: Envelope | null
  error: string | null
}

export async function prefetch(tx: ViewTx, ops: Decoded[]): Promise<void> {
  const first: string[] = [META]
  for (const { envelope } of ops) {
    if (!envelope) continue
    const h = envelope.header
    first.push(memberKey(h.author.toString('hex')))
    if (h.channel) first.push(channelKey(h.channel))
  }
  await tx.prefetch(first)
  // the applied marks' keys follow the team's format, in META (node/view/applied.ts)
  const meta = (await tx.get<MetaRecord>(META)) ?? null
  const second: string[] = []
  for (const { id, envelope } of ops) if (envelope) second.push(markKeyOf(meta, envelope.header.time, id))
  for (const { envelope } of ops) {
    if (!envelope) continue
    const h = envelope.header
    if (h.type !== OpType.Message && h.type !== OpType.Delete) continue
    const channel = await tx.channel(h.channel) // known from the first round
    if (!channel || channel.deleted) continue // a new generation holds no ids yet
    const space = tx.space(h.channel, channel)
    if (h.type === OpType.Delete) {
      if (h.ref) second.push(space.messageId(h.ref))
      continue
    }
    second.push(space.messageId(apiIdOf(envelope)))
    if (h.thread_id) second.push(space.messageId(h.thread_id))
  }
  await tx.prefetch(second)
}
