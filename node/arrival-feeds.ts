// What node/arrivals.ts keeps an arrival order of: a channel's messages (the feed that
// `after_id` pages) and its events (the SSE feed, whose event ids are their arrivals), plus the
// range helpers both share.
import type Hyperbee from 'hyperbee'
import { type ChannelSpace, channelKey, seqKey } from './view/keys.js'
import {
  type ChangeRecord,
  type ChannelRecord,
  type EventRecord,
  eventKey,
  type MessageRecord,
  type ViewValue,
} from './view/records.js'

export type View = Hyperbee<ViewValue>

/** One positional range of a channel generation in the view, and what names an item there. */
export interface Feed {
  /** key prefix in the arrivals bee */
  tag: 'm' | 'e' | 'h'
  /** items of the generation so far (the last position) */
  count(record: ChannelRecord): number
  at(space: ChannelSpace, s: number): string
  range(space: ChannelSpace): { gt: string; lt: string }
  /** a name for the item that is the same on every replica and after a reorder */
  idOf(value: ViewValue): string
  /** the item's position now by its name: null when it is not there, undefined when the view
   *  has no index to tell */
  find(view: View, space: ChannelSpace, id: string): Promise<number | null | undefined>
}

const num = async (view: View, key: string) => {
  const v = (await view.get(key))?.value
  return typeof v === 'number' ? v : null
}

export const MESSAGES: Feed = {
  tag: 'm',
  count: (r) => r.msgSeq,
  at: (space, s) => space.message(s),
  range: (space) => space.messages,
  idOf: (v) => (v as MessageRecord).id,
  find: (view, space, id) => num(view, space.messageId(id)),
}

export const EVENTS: Feed = {
  tag: 'e',
  count: (r) => r.eventSeq,
  at: (space, s) => space.event(s),
  range: (space) => space.events,
  idOf: (v) => eventKey(v as EventRecord),
  // a message event is found through its message (m/<seq>.ev); other events only by position
  async find(view, space, id) {
    if (!id.startsWith('message:')) return undefined
    const seq = await num(view, space.messageId(id.slice('message:'.length)))
    const record =
      seq === null ? null : ((await view.get(space.message(seq)))?.value as MessageRecord | undefined)
    return record ? record.ev : null
  },
}

/** A channel's status change log (what GET .../status/changes pages with after_id). */
export const CHANGES: Feed = {
  tag: 'h',
  count: (r) => r.changeSeq,
  at: (space, s) => space.change(s),
  range: (space) => space.changes,
  idOf: (v) => (v as ChangeRecord).id,
  find: (view, space, id) => num(view, space.changeId(id)),
}

/** Keys in the arrivals bee for one feed of one channel generation. */
export function feedKeys(feed: Feed, name: string, gen: number) {
  const p = `${feed.tag}/${name}/${gen}/`
  return {
    mark: `w/${p}`,
    at: (aseq: number) => `p/${p}${seqKey(aseq)}`,
    after: (aseq: number) => ({ gt: `p/${p}${seqKey(aseq)}`, lt: `p/${p}~` }),
    id: (id: string) => `q/${p}${id}`,
    run: (aseq: number) => `r/${p}${seqKey(aseq)}`,
    runs: { gt: `r/${p}`, lt: `r/${p}~` },
  }
}
export type FeedKeys = ReturnType<typeof feedKeys>

/** A key range read in limited chunks, each continuing after the last key of the one before.
 *  `raw`: values as their stored bytes (the caller decodes them, e.g. with decodeViewValue). */
export async function* chunked<V>(
  bee: Hyperbee<V>,
  range: { gt?: string; gte?: string; lt?: string; lte?: string },
  reverse: boolean,
  first: number,
  raw = false,
): AsyncIterable<{ key: string; value: V }> {
  let bounds = range
  let limit = Math.max(1, first)
  for (;;) {
    // read the chunk to its end before yielding: a consumer that stops early then leaves no
    // stream half read (destroying one builds an error with a stack, per read)
    const entries: Array<{ key: string; value: V }> = []
    for await (const entry of bee.createReadStream({ ...bounds, reverse, limit }, raw ? RAW : undefined))
      entries.push(entry)
    yield* entries
    const last = entries[entries.length - 1]?.key ?? null
    if (last === null || entries.length < limit) return
    const { gt, gte, lt, lte } = bounds
    bounds = reverse ? { gt, gte, lt: last } : { gt: last, lt, lte }
    for (const k of Object.keys(bounds) as Array<keyof typeof bounds>)
      if (bounds[k] === undefined) delete bounds[k]
    limit = Math.min(limit * 4, 1024)
  }
}

const RAW = { valueEncoding: 'binary' } as const

interface Versioned {
  checkout(version: number): View
}

/** How many items of this generation sit in the signed (never reordered) part of the view. */
export async function stableCount(snap: View, signed: number, feed: Feed, name: string, gen: number) {
  if (signed <= 1) return 0
  const at = (snap as unknown as Versioned).checkout(signed)
  try {
    const rec = (await at.get(channelKey(name)))?.value as ChannelRecord | undefined
    return rec && !rec.deleted && rec.gen === gen ? feed.count(rec) : 0
  } finally {
    await at.close()
  }
}
