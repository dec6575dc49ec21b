// Before apply changes anything, it reads every view key its operations will look up, all at
// once: the dedupe marks, the authors' member records, the channels, and the message ids that
// posts, replies and deletes check. Reads one after another cost a thread-pool round trip each
// (about 30 per message before this); issued together they overlap. What the batch then writes
// is answered from the ViewTx's memory, so the prefetched values never go stale within a call.
import type { Envelope } from '../../sdk/protocol/index.js'
import { markKeyOf } from '../view/applied.js'
import { channelKey, DONE_MARKS, META, memberKey } from '../view/keys.js'
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
  // Keys that are nearly always absent: a new envelope's applied mark and a new post's message
  // id. Both begin with the author's time, so in a call of several envelopes one read of the
  // last key of each range tells which of them sort past everything the view holds: those are
  // absent without a lookup (most of a catch-up's reads: 32 of 35 per call of 16 posts)
  const bulk = ops.length >= RANGE_BOUND_FROM
  const lookups: string[] = []
  const bounded: Array<{ key: string; range: { gt: string; lt: string } }> = []
  const probe = (key: string, range: { gt: string; lt: string }) => {
    if (bulk) bounded.push({ key, range })
    else lookups.push(key)
  }
  for (const { id, envelope } of ops) {
    if (!envelope) continue
    const key = markKeyOf(meta, envelope.header.time, id)
    if (meta?.dedupe === 2) probe(key, DONE_MARKS)
    else lookups.push(key) // a legacy team: `d/<id>` marks sort by id, not by time
  }
  for (const { envelope } of ops) {
    if (!envelope) continue
    const h = envelope.header
    if (h.type !== OpType.Message && h.type !== OpType.Delete) continue
    const channel = await tx.channel(h.channel) // known from the first round
    if (!channel || channel.deleted) continue // a new generation holds no ids yet
    const space = tx.space(h.channel, channel)
    if (h.type === OpType.Delete) {
      if (h.ref) lookups.push(space.messageId(h.ref))
      continue
    }
    probe(space.messageId(apiIdOf(envelope)), space.messageIds)
    if (h.thread_id) lookups.push(space.messageId(h.thread_id))
  }
  const ranges = new Map<string, { gt: string; lt: string }>()
  for (const { range } of bounded) ranges.set(range.gt, range)
  const [, lasts] = await Promise.all([
    tx.prefetch(lookups),
    Promise.all([...ranges.values()].map(async (r) => [r.gt, await tx.lastKey(r)] as const)),
  ])
  const lastOf = new Map(lasts)
  const inside: string[] = []
  for (const { key, range } of bounded) {
    const last = lastOf.get(range.gt) ?? null
    if (last === null || key > last) tx.absent(key)
    else inside.push(key) // within the range: looked up
  }
  await tx.prefetch(inside)
}

/** Calls of fewer envelopes look every key up: a range's last key costs as much as a lookup. */
const RANGE_BOUND_FROM = 4
