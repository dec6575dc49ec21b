// A channel's status change log. With no cursor it returns the latest `limit` changes, oldest
// first, as the seed. Pages follow this node's arrival index (node/arrivals.ts): the order in
// which this node first saw each change, so a cursor from before an autobase reorder still
// yields every change not yet seen.
import { ApiError } from '../sdk/api/errors.js'
import type { PageQuery } from '../sdk/api/store.js'
import type { StatusChangePage } from '../sdk/api/types.js'
import { CHANGES } from './arrival-feeds.js'
import { type Arrivals, retryStale } from './arrivals.js'
import { channelSpace } from './view/keys.js'
import { compareIds, type ViewReader } from './view/read.js'
import type { ChangeRecord } from './view/records.js'

export async function readChangePage(
  reader: ViewReader,
  channel: string,
  query: PageQuery,
): Promise<StatusChangePage> {
  const ch = await reader.channel(channel)
  if (!ch) return { changes: [], next_after_id: query.after_id ?? '0-0', has_more: false }
  if (query.after_id !== null) validate(query.after_id)
  // startNode always sets the arrival index; there is no view-order read to fall back to
  const arrivals = reader.arrivals
  if (!arrivals) throw new Error('node reads need the arrival index (startNode sets it)')
  return retryStale((skipMissing) => arrivalChanges(reader, arrivals, channel, query, skipMissing))
}

function validate(cursor: string): void {
  if (!/^\d{1,20}(-\d{1,20})?$/.test(cursor)) {
    throw new ApiError('INVALID_CURSOR', "Invalid after_id format. Expected an ID like '1234567890-0'")
  }
}

const isStart = (cursor: string) => cursor === '0' || /^0+-0+$/.test(cursor)

async function arrivalChanges(
  reader: ViewReader,
  arrivals: Arrivals,
  channel: string,
  query: PageQuery,
  skipMissing: boolean,
): Promise<StatusChangePage> {
  const mark = await arrivals.sync(channel, undefined, CHANGES)
  if (!mark) return { changes: [], next_after_id: query.after_id ?? '0-0', has_more: false }
  const space = channelSpace(channel, mark.gen)
  const reverse = query.after_id === null
  let after = mark.last
  if (query.after_id !== null) {
    const cursor = query.after_id
    after = isStart(cursor) ? 0 : ((await arrivals.aseqOf(channel, mark, space, cursor, CHANGES)) ?? -1)
    if (after === -1) {
      // an id this node never saw: after the last change at or before it by id (time)
      let lo = 0
      let hi = mark.last
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2)
        const id = await arrivals.idAt(channel, mark, space, mid, CHANGES)
        if (id !== null && compareIds(id, cursor) <= 0) lo = mid
        else hi = mid - 1
      }
      after = lo
    }
  }
  const rows: ChangeRecord[] = []
  const want = query.limit + 1
  for await (const { record } of arrivals.walk<ChangeRecord>(channel, mark, space, after, {
    reverse,
    want,
    feed: CHANGES,
    skipMissing,
  })) {
    rows.push(record)
    if (rows.length === want) break
  }
  const hasMore = rows.length > query.limit
  const page = rows.slice(0, query.limit)
  if (reverse) page.reverse()
  const changes = page.flatMap((r) => reader.toChange(channel, r) ?? [])
  // the cursor moves past a record toChange left out too, or the next page would start before it
  const newest = page[page.length - 1]
  return { changes, next_after_id: newest?.id ?? query.after_id ?? '0-0', has_more: hasMore }
}
