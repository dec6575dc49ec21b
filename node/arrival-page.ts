// The channel feed (`GET .../messages` without a filter, and `GET .../unread`) in this node's
// arrival order (node/arrivals.ts): a cursor stands for "every message that reached this node
// before it", so the next page holds exactly the messages the client has not seen, even those a
// reorder put before the cursor in the view. Filtered reads (thread, mention, sender) page the
// same order: the signed part through their view index, the arrivals tail checked record by record.
import type { MessageQuery } from '../sdk/api/store.js'
import type { Message, MessagePage } from '../sdk/api/types.js'
import { type Arrivals, type Mark, retryStale } from './arrivals.js'
import { type ChannelSpace, channelSpace } from './view/keys.js'
import { compareIds, type ViewReader } from './view/read.js'
import type { ChannelRecord, MessageRecord } from './view/records.js'

/** Records visited per read at most; past it the page ends with a cursor to go on from. */
const SCAN_BUDGET = 5000

/** A filtered read: which records it takes, and its view index (key at a position). */
export interface ArrivalFilter {
  accept(record: MessageRecord): boolean
  index(s: number): string
}

export async function arrivalPage(
  reader: ViewReader,
  arrivals: Arrivals,
  channel: string,
  record: ChannelRecord,
  query: MessageQuery,
  excludeTag: string | null,
  filter?: ArrivalFilter,
): Promise<MessagePage> {
  const cursor = query.after_id === null ? null : reader.parseCursor(query.after_id)
  return retryStale((skipMissing, attempt) =>
    readPage(reader, arrivals, channel, attempt === 1 ? record : undefined, cursor, query, {
      excludeTag,
      filter,
      skipMissing,
    }),
  )
}

async function readPage(
  reader: ViewReader,
  arrivals: Arrivals,
  channel: string,
  record: ChannelRecord | undefined,
  cursor: string | null,
  query: MessageQuery,
  opts: { excludeTag: string | null; filter?: ArrivalFilter | undefined; skipMissing: boolean },
): Promise<MessagePage> {
  const mark = await arrivals.sync(channel, record)
  if (!mark) return { messages: [], next_after_id: query.after_id ?? '0-0', has_more: false, channel }
  const space = channelSpace(channel, mark.gen)
  const reverse = query.after_id === null
  let after = mark.last
  if (!reverse) after = cursor === null ? 0 : await cursorAseq(arrivals, channel, mark, space, cursor)
  const messages: Message[] = []
  let hasMore = false
  let visited = 0
  let next = reverse ? null : query.after_id === '0' ? '0-0' : (query.after_id as string)
  // one more than the page: has_more without a second range read
  const walk = arrivals.walk<MessageRecord>(channel, mark, space, after, {
    reverse,
    want: query.limit + 1,
    skipMissing: opts.skipMissing,
    ...(opts.filter ? { index: opts.filter.index } : {}),
  })
  for await (const { record: r } of walk) {
    if (reverse) next ??= r.id
    if (++visited > SCAN_BUDGET) {
      hasMore = true
      break
    }
    const ok =
      !r.deleted && (!opts.excludeTag || r.tag !== opts.excludeTag) && (!opts.filter || opts.filter.accept(r))
    if (ok && messages.length === query.limit) {
      hasMore = true
      break
    }
    if (!reverse) next = r.id
    if (ok) messages.push(reader.toMessage(channel, r))
  }
  if (reverse) messages.reverse()
  return { messages, next_after_id: next ?? '0-0', has_more: hasMore, channel }
}

/** A cursor's aseq: its own for an id this node saw, else by id order (ids follow time). */
async function cursorAseq(
  arrivals: Arrivals,
  channel: string,
  mark: Mark,
  space: ChannelSpace,
  cursor: string,
): Promise<number> {
  const known = await arrivals.aseqOf(channel, mark, space, cursor)
  if (known !== null) return known
  let lo = 0
  let hi = mark.last
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    const id = await arrivals.idAt(channel, mark, space, mid)
    if (id !== null && compareIds(id, cursor) <= 0) lo = mid
    else hi = mid - 1
  }
  return lo
}
