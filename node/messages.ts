// Message pages and threads over the view's indexes: the unfiltered log (m/), a thread (r/),
// mentions (n/) or a sender's messages (s/). Every read pages in this node's arrival order
// (node/arrival-page.ts), a filtered one through its index where arrival order is log order; a
// second filter is checked on the records it visits.
import { ApiError } from '../sdk/api/errors.js'
import type { MessageQuery, PageQuery } from '../sdk/api/store.js'
import type { MessagePage, ThreadPage } from '../sdk/api/types.js'
import { arrivalPage } from './arrival-page.js'
import type { ChannelSpace } from './view/keys.js'
import type { ViewReader } from './view/read.js'
import type { ChannelRecord, MessageRecord } from './view/records.js'

interface Index {
  at(seq: number): string
  /** the index holds seqs (a pointer to m/) rather than the records themselves */
  pointers: boolean
}

function indexOf(space: ChannelSpace, query: MessageQuery, senderTag: string | null): Index {
  if (query.thread_id) {
    const parent = query.thread_id
    return { at: (s) => space.reply(parent, s), pointers: true }
  }
  if (query.mention) {
    const who = query.mention
    return { at: (s) => space.mention(who, s), pointers: true }
  }
  if (senderTag) return { at: (s) => space.sender(senderTag, s), pointers: true }
  return { at: (s) => space.message(s), pointers: false }
}

function accept(
  r: MessageRecord,
  q: MessageQuery,
  senderTag: string | null,
  excludeTag: string | null,
): boolean {
  return (
    !r.deleted &&
    (!q.thread_id || r.thread_id === q.thread_id) &&
    (!q.mention || r.mention === q.mention) &&
    (!senderTag || r.tag === senderTag) &&
    (!excludeTag || r.tag !== excludeTag)
  )
}

export async function readMessagePage(
  reader: ViewReader,
  channel: string,
  query: MessageQuery,
  senderTag: string | null,
  excludeTag: string | null,
): Promise<MessagePage> {
  if (query.thread_id && !/^\d{1,20}(-\d{1,20})?$/.test(query.thread_id)) {
    throw new ApiError(
      'INVALID_CURSOR',
      "Invalid thread_id format. Expected a message ID like '1234567890-0'",
    )
  }
  const ch = await reader.channel(channel)
  if (!ch) {
    if (query.after_id !== null) await validateOnly(reader, query.after_id)
    return { messages: [], next_after_id: query.after_id ?? '0-0', has_more: false, channel }
  }
  const index = indexOf(ch.space, query, senderTag)
  // startNode always sets the arrival index; there is no log-order read to fall back to
  if (!reader.arrivals) throw new Error('node reads need the arrival index (startNode sets it)')
  // a filtered read too: a cursor from before a reorder must not skip what the reorder put
  // before it in the log (the arrivals tail is checked record by record with `accept`)
  const filter = index.pointers
    ? { accept: (r: MessageRecord) => accept(r, query, senderTag, excludeTag), index: index.at }
    : undefined
  return arrivalPage(reader, reader.arrivals, channel, ch.record, query, excludeTag, filter)
}

async function validateOnly(reader: ViewReader, cursor: string): Promise<void> {
  const empty = { gen: 0, msgSeq: 0 } as ChannelRecord
  const space = { messageId: () => 'z' } as unknown as ChannelSpace
  await reader.cursorSeq(space, empty, cursor)
}

export async function readReplies(
  reader: ViewReader,
  channel: string,
  parentId: string,
  query: PageQuery,
): Promise<ThreadPage> {
  const ch = await reader.channel(channel)
  const parent = ch ? await reader.messageById(ch.space, parentId) : null
  if (!ch || !parent) throw new ApiError('MESSAGE_NOT_FOUND', 'Parent message not found')
  const page = await readMessagePage(
    reader,
    channel,
    { after_id: query.after_id ?? '0-0', limit: query.limit, thread_id: parent.record.id },
    null,
    null,
  )
  return {
    parent: reader.toMessage(channel, parent.record),
    replies: page.messages,
    next_after_id: page.next_after_id,
    has_more: page.has_more,
  }
}
