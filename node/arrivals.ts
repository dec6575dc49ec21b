// The order in which this node first saw each message of a channel: what `after_id` pages by.
//
// The view (node/view) is a pure function of autobase's linearized log, and autobase may reorder
// the log's unsigned tail when a writer's operations arrive late (a partition heals): a message
// can then land BEFORE a position a client has already paged past, and paging by view position
// would skip it. Arrival positions (aseq) only ever append, so "everything after my cursor's
// aseq" is exactly what a client has not seen yet. They are node-local (other nodes saw messages
// in another order) and live in a hyperbee of their own that never replicates; message ids stay
// the envelope-derived ids shared by every node.
//
// Almost always arrival order IS view order (no reorder happened), so the index stores only the
// difference: up to `base` aseq = view position (those positions are signed, i.e. final); past it
// every message has an explicit entry p/<aseq> -> {id, s: view position hint} and q/<id> -> aseq.
// As positions become signed, entries whose aseq equals their position fold into `base` again, so
// a team that never reorders keeps no entries at all and a read is one view range.
import type Corestore from 'corestore'
import Hyperbee, { type BeeRange } from 'hyperbee'
import { type ChannelSpace, channelKey, channelSpace, seqKey, seqOf } from './view/keys.js'
import type { ChannelRecord, MessageRecord, ViewValue } from './view/records.js'

/** Per channel generation. */
export interface Mark {
  gen: number
  /** aseq == view position for positions 1..base (all signed, never reordered) */
  base: number
  /** highest aseq given */
  last: number
  /** view msgSeq up to which every message has an aseq, and the id at that position */
  seen: number
  tip: string | null
}
interface Entry {
  id: string
  s: number
}
type Value = Mark | Entry | number

type View = Hyperbee<ViewValue>
interface Versioned {
  checkout(version: number): View
}
interface SignedCore {
  signedLength: number
  fork: number
}

function keysOf(name: string, gen: number) {
  const p = `${name}/${gen}/`
  return {
    mark: `w/${p}`,
    at: (aseq: number) => `p/${p}${seqKey(aseq)}`,
    after: (aseq: number): BeeRange => ({ gt: `p/${p}${seqKey(aseq)}`, lt: `p/${p}~` }),
    id: (id: string) => `q/${p}${id}`,
  }
}

export class Arrivals {
  private readonly bee: Hyperbee<Value>
  private readonly marks = new Map<string, Mark>()
  /** the view's signed length and fork at each channel's last sync */
  private readonly synced = new Map<string, { signed: number; fork: number }>()
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    store: Corestore,
    teamId: string,
    private readonly view: () => View,
  ) {
    this.bee = new Hyperbee<Value>(store.get({ name: `handoff-arrivals-${teamId}` }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'json',
    })
  }

  ready(): Promise<void> {
    return this.bee.ready()
  }

  close(): Promise<void> {
    return this.bee.close()
  }

  /** Give every message the view holds an aseq (serialized: one sync at a time). */
  async sync(name: string, current?: ChannelRecord): Promise<Mark | null> {
    const fresh = await this.unchanged(name, current)
    if (fresh) return fresh
    const run = this.queue.then(() => this.syncNow(name))
    this.queue = run.catch(() => {})
    return run
  }

  /**
   * The common read: nothing changed since the last sync (same signed length and fork, same
   * message count and, while part of the view is unsigned, the same message at the last
   * position), answered from the live view and outside the queue (it writes nothing). With the
   * caller's channel record and a fully signed view that costs no read at all.
   */
  private async unchanged(name: string, current?: ChannelRecord): Promise<Mark | null> {
    const live = this.view()
    const core = live.core as unknown as SignedCore & { length: number }
    const rec = current ?? ((await live.get(channelKey(name)))?.value as ChannelRecord | undefined)
    if (!rec || rec.deleted) return null
    const key = keysOf(name, rec.gen).mark
    const mark = this.marks.get(key)
    const before = this.synced.get(key)
    if (!mark || !before || before.signed !== core.signedLength || before.fork !== core.fork) return null
    if (rec.msgSeq !== mark.seen) return null
    if (mark.seen === 0) return mark.tip === null ? mark : null
    // nothing unsigned: nothing can have been reordered since the sync at this signed length
    if (core.length === core.signedLength) return mark
    const at = (await live.get(channelSpace(name, rec.gen).message(mark.seen)))?.value as
      | MessageRecord
      | undefined
    return at?.id === mark.tip ? mark : null
  }

  private async syncNow(name: string): Promise<Mark | null> {
    const live = this.view()
    const core = live.core as unknown as SignedCore
    const snap = live.snapshot()
    try {
      await snap.ready()
      const rec = (await snap.get(channelKey(name)))?.value as ChannelRecord | undefined
      if (!rec || rec.deleted) return null
      const keys = keysOf(name, rec.gen)
      const space = channelSpace(name, rec.gen)
      const idAt = async (s: number) =>
        s === 0
          ? null
          : (((await snap.get(space.message(s)))?.value as MessageRecord | undefined)?.id ?? null)
      const old = this.marks.get(keys.mark) ?? ((await this.bee.get(keys.mark))?.value as Mark | undefined)
      const mark: Mark = old ? { ...old } : { gen: rec.gen, base: 0, last: 0, seen: 0, tip: null }
      const signedLength = core.signedLength
      const fork = core.fork
      const signed = Math.min(signedLength, snap.version)
      const before = this.synced.get(keys.mark)
      // a truncated view (fork), fewer messages, or another message at our last position: the
      // unsigned tail was rebuilt in another order and is scanned again from `base`
      const reordered =
        (before !== undefined && before.fork !== fork) ||
        rec.msgSeq < mark.seen ||
        (await idAt(mark.seen)) !== mark.tip
      if (!reordered && rec.msgSeq === mark.seen && before?.signed === signedLength) {
        this.marks.set(keys.mark, mark)
        return mark
      }

      const batch = this.bee.batch()
      const stable = Math.min(await stableSeq(snap, signed, name, rec.gen), rec.msgSeq)
      if (!reordered && mark.base === mark.last && mark.seen === mark.last && stable > mark.seen) {
        // nothing explicit outstanding: signed positions need no entries at all
        mark.base = mark.last = mark.seen = stable
      }
      const from = reordered ? mark.base : mark.seen
      for await (const { key, value } of snap.createReadStream({
        gt: space.message(from),
        lt: space.messages.lt,
      })) {
        const s = seqOf(key)
        const id = (value as MessageRecord).id
        const known = reordered ? ((await batch.get(keys.id(id)))?.value as number | undefined) : undefined
        if (known !== undefined) {
          // seen before, moved by the reorder: keep its aseq, refresh the position hint
          await batch.put(keys.at(known), { id, s })
          continue
        }
        mark.last++
        await batch.put(keys.at(mark.last), { id, s })
        await batch.put(keys.id(id), mark.last)
      }
      mark.seen = rec.msgSeq
      mark.tip = await idAt(rec.msgSeq)
      await fold(batch, keys, mark, stable, idAt)
      await batch.put(keys.mark, mark)
      await batch.flush()
      this.marks.set(keys.mark, mark)
      this.synced.set(keys.mark, { signed: signedLength, fork })
      return mark
    } finally {
      await snap.close()
    }
  }

  /** The aseq a cursor id names, or null when this node never saw that id in this channel. */
  async aseqOf(name: string, mark: Mark, space: ChannelSpace, id: string): Promise<number | null> {
    const known = (await this.bee.get(keysOf(name, mark.gen).id(id)))?.value as number | undefined
    if (known !== undefined) return known
    const s = (await this.view().get(space.messageId(id)))?.value as number | undefined
    return s !== undefined && s <= mark.base ? s : null
  }

  /** The id at an aseq (for cursors this node never saw: a search by id order). */
  async idAt(name: string, mark: Mark, space: ChannelSpace, aseq: number): Promise<string | null> {
    if (aseq <= mark.base) {
      const r = (await this.view().get(space.message(aseq)))?.value as MessageRecord | undefined
      return r?.id ?? null
    }
    return ((await this.bee.get(keysOf(name, mark.gen).at(aseq)))?.value as Entry | undefined)?.id ?? null
  }

  /**
   * Messages after aseq `after` in arrival order (or before it, newest first, when reverse), with
   * their aseq. A message the view no longer holds (dropped by a reorder) is skipped. `want` is
   * how many the caller expects to take: ranges are read in chunks of that size, so a page ends
   * its range reads instead of destroying an open stream (which costs an error with a stack).
   */
  async *walk(
    name: string,
    mark: Mark,
    space: ChannelSpace,
    after: number,
    reverse: boolean,
    want = 64,
  ): AsyncIterable<{ aseq: number; record: MessageRecord }> {
    const view = this.view()
    const keys = keysOf(name, mark.gen)
    const bee = this.bee
    const signedPart = async function* () {
      if (reverse ? Math.min(after, mark.base) === 0 : after >= mark.base) return
      const range = reverse
        ? { gt: space.message(0), lte: space.message(Math.min(after, mark.base)) }
        : { gt: space.message(after), lte: space.message(mark.base) }
      for await (const { key, value } of chunked(view, range, reverse, want))
        yield { aseq: seqOf(key), record: value as MessageRecord }
    }
    const tail = async function* () {
      if ((reverse && after <= mark.base) || mark.last === mark.base) return
      const range = reverse
        ? { gt: keys.at(mark.base), lte: keys.at(after) }
        : keys.after(Math.max(after, mark.base))
      for await (const { key, value } of chunked(bee, range, reverse, want)) {
        const record = await recordOf(view, space, value as Entry)
        if (record) yield { aseq: seqOf(key), record }
      }
    }
    if (reverse) {
      yield* tail()
      yield* signedPart()
    } else {
      yield* signedPart()
      yield* tail()
    }
  }
}

/** A key range read in limited chunks, each continuing after the last key of the one before. */
async function* chunked<V>(
  bee: Hyperbee<V>,
  range: { gt?: string; gte?: string; lt?: string; lte?: string },
  reverse: boolean,
  first: number,
): AsyncIterable<{ key: string; value: V }> {
  let bounds = range
  let limit = Math.max(1, first)
  for (;;) {
    // read the chunk to its end before yielding: a consumer that stops early then leaves no
    // stream half read
    const entries: Array<{ key: string; value: V }> = []
    for await (const entry of bee.createReadStream({ ...bounds, reverse, limit })) entries.push(entry)
    yield* entries
    const last = entries[entries.length - 1]?.key ?? null
    if (last === null || entries.length < limit) return
    bounds = reverse ? { ...bounds, lt: last, lte: undefined } : { ...bounds, gt: last, gte: undefined }
    for (const k of Object.keys(bounds) as Array<keyof typeof bounds>)
      if (bounds[k] === undefined) delete bounds[k]
    limit = Math.min(limit * 4, 1024)
  }
}

/** The record behind an entry: by its position hint, else by id (the hint went stale). */
async function recordOf(view: View, space: ChannelSpace, e: Entry): Promise<MessageRecord | null> {
  const hinted = (await view.get(space.message(e.s)))?.value as MessageRecord | undefined
  if (hinted?.id === e.id) return hinted
  const s = (await view.get(space.messageId(e.id)))?.value as number | undefined
  if (s === undefined) return null
  return ((await view.get(space.message(s)))?.value as MessageRecord | undefined) ?? null
}

/** How many of this generation's messages sit in the signed (never reordered) part of the view. */
async function stableSeq(snap: View, signed: number, name: string, gen: number): Promise<number> {
  if (signed <= 1) return 0
  const at = (snap as unknown as Versioned).checkout(signed)
  try {
    const rec = (await at.get(channelKey(name)))?.value as ChannelRecord | undefined
    return rec && !rec.deleted && rec.gen === gen ? rec.msgSeq : 0
  } finally {
    await at.close()
  }
}

/** Entries whose aseq is their (now signed) position fold into `base`. */
async function fold(
  batch: ReturnType<Hyperbee<Value>['batch']>,
  keys: ReturnType<typeof keysOf>,
  mark: Mark,
  stable: number,
  idAt: (s: number) => Promise<string | null>,
): Promise<void> {
  while (mark.base < stable && mark.base < mark.last) {
    const next = mark.base + 1
    const e = (await batch.get(keys.at(next)))?.value as Entry | undefined
    if (!e || e.s !== next || (await idAt(next)) !== e.id) return
    await batch.del(keys.at(next))
    await batch.del(keys.id(e.id))
    mark.base = next
  }
}
