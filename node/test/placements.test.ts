// What apply notes it placed at each position (node/view/placements.ts), and the arrival order
// that names a channel's unsigned tail from those notes (node/arrivals.ts): a note is taken once,
// only when the whole range is noted, and a note at an earlier position undoes what followed it;
// on a node whose posts stay unsigned, paging by after_id lists every message once and in order,
// and notes that do not end at the view's last item are not trusted: the view is read instead.
import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_NOTES, MAX_RANGE_NOTES, Placements } from '../view/placements.js'
import type { ChannelRecord } from '../view/records.js'
import type { TestNode } from './helpers.js'
import { teamOnTestnet } from './team-fixture.js'

/** Notes `ids` at positions from `start` on, in order. */
function noteRun(p: Placements, start: number, ids: string[], tag: 'm' | 'e' | 'h' = 'm', ch = 'a', gen = 1) {
  for (const [i, id] of ids.entries()) p.note(tag, ch, gen, start + i, id)
}

describe('placements', () => {
  it('takes the names noted in order, and each once', () => {
    const p = new Placements()
    noteRun(p, 1, ['a1', 'a2', 'a3', 'a4', 'a5'])
    expect(p.take('m', 'a', 1, 0, 3)).toEqual(['a1', 'a2', 'a3'])
    expect(p.take('m', 'a', 1, 0, 3)).toBeNull() // forgotten once taken
    expect(p.take('m', 'a', 1, 3, 5)).toEqual(['a4', 'a5'])
    expect(p.take('m', 'a', 1, 3, 5)).toBeNull()
    // a run taken in full is gone: the next note starts a new one
    p.note('m', 'a', 1, 6, 'a6')
    expect(p.take('m', 'a', 1, 5, 6)).toEqual(['a6'])
  })

  it('answers null unless every position of the range is noted, and forgets the range either way', () => {
    const p = new Placements()
    expect(p.take('m', 'a', 1, 0, 1)).toBeNull() // nothing noted
    noteRun(p, 1, ['a1', 'a2', 'a3'])
    expect(p.take('m', 'a', 1, 2, 2)).toBeNull() // an empty range: nothing to name...
    expect(p.take('m', 'a', 1, 0, 3)).toBeNull() // ...but positions up to it are named already
    noteRun(p, 1, ['a1', 'a2', 'a3'])
    expect(p.take('m', 'a', 1, 0, 3)).toEqual(['a1', 'a2', 'a3'])
    noteRun(p, 4, ['a4', 'a5'])
    expect(p.take('m', 'a', 1, 3, 6)).toBeNull() // past the last note: the reader reads the view
    expect(p.take('m', 'a', 1, 3, 5)).toBeNull() // so those notes are of no further use
  })

  it('a note at an earlier position drops what was noted past it (an undo, then a re-apply)', () => {
    const p = new Placements()
    noteRun(p, 1, ['a1', 'a2', 'a3', 'a4', 'a5'])
    noteRun(p, 3, ['b3', 'b4']) // autobase undid 3..5 and applied two others there
    expect(p.take('m', 'a', 1, 0, 4)).toEqual(['a1', 'a2', 'b3', 'b4'])
    expect(p.take('m', 'a', 1, 4, 5)).toBeNull() // position 5 holds nothing noted now
    // a note past the end with a gap starts afresh: the positions between are not noted
    noteRun(p, 1, ['c1', 'c2'])
    p.note('m', 'a', 1, 5, 'c5')
    expect(p.take('m', 'a', 1, 0, 2)).toBeNull()
    expect(p.take('m', 'a', 1, 4, 5)).toEqual(['c5'])
  })

  it('keeps each tag and channel apart; a new generation replaces the old one', () => {
    const p = new Placements()
    const ranges = [
      ['m', 'a'],
      ['e', 'a'],
      ['h', 'a'],
      ['m', 'b'],
    ] as const
    for (const [tag, ch] of ranges) noteRun(p, 1, [`${tag}${ch}-1`, `${tag}${ch}-2`], tag, ch)
    // an undo in one range leaves the others whole
    p.note('m', 'a', 1, 1, 'redone')
    expect(p.take('m', 'a', 1, 0, 1)).toEqual(['redone'])
    for (const [tag, ch] of ranges.slice(1))
      expect(p.take(tag, ch, 1, 0, 2)).toEqual([`${tag}${ch}-1`, `${tag}${ch}-2`])
    // a deleted channel's generation is never read again: the next one's notes replace it
    noteRun(p, 1, ['g1-1', 'g1-2'], 'm', 'c', 1)
    noteRun(p, 1, ['g2-1'], 'm', 'c', 2)
    expect(p.take('m', 'c', 1, 0, 1)).toBeNull()
    expect(p.take('m', 'c', 2, 0, 1)).toEqual(['g2-1'])
  })

  it('clear() forgets every range', () => {
    const p = new Placements()
    noteRun(p, 1, ['a1', 'a2'])
    noteRun(p, 1, ['x1'], 'e', 'x', 3)
    p.clear()
    expect(p.take('m', 'a', 1, 0, 2)).toBeNull()
    expect(p.take('e', 'x', 3, 0, 1)).toBeNull()
  })

  it('a range starting before the kept window answers null', () => {
    const p = new Placements()
    noteRun(p, 5, ['a5', 'a6', 'a7']) // noted from position 5 on (a restart, a fast-forward)
    expect(p.take('m', 'a', 1, 4, 7)).toEqual(['a5', 'a6', 'a7'])
    noteRun(p, 5, ['a5', 'a6', 'a7'])
    expect(p.take('m', 'a', 1, 3, 7)).toBeNull()
    // past the cap of one range the oldest half goes
    const q = new Placements()
    const cap = MAX_RANGE_NOTES
    for (let s = 1; s <= cap + 1; s++) q.note('m', 'a', 1, s, `n${s}`)
    const kept = q.take('m', 'a', 1, cap / 2 + 1, cap + 1)
    expect(kept).toHaveLength(cap / 2)
    expect([kept?.[0], kept?.[kept.length - 1]]).toEqual([`n${cap / 2 + 2}`, `n${cap + 1}`])
    const r = new Placements()
    for (let s = 1; s <= cap + 1; s++) r.note('m', 'a', 1, s, `n${s}`)
    expect(r.take('m', 'a', 1, cap / 2, cap + 1)).toBeNull() // its first position went
  })

  it('past the cap of all ranges together every note goes (a range nobody reads is bounded)', () => {
    const p = new Placements()
    for (const ch of ['a', 'b']) for (let s = 1; s <= MAX_NOTES / 2; s++) p.note('e', ch, 1, s, `${ch}${s}`)
    expect(p.take('e', 'a', 1, 0, 1)).toEqual(['a1']) // at the cap: all kept
    p.note('e', 'c', 1, 1, 'c1')
    p.note('e', 'c', 1, 2, 'c2') // one past it
    expect(p.take('e', 'b', 1, 0, 1)).toBeNull()
    expect(p.take('e', 'c', 1, 0, 2)).toBeNull()
  })
})

interface Page {
  messages: Array<{ id: string; content: string }>
  next_after_id: string
  has_more: boolean
}

describe('the arrival order named from the notes', () => {
  // two indexers apart: a node's own posts stay unsigned (the other has not acked them), so the
  // arrival order gives them tail entries, named from apply's notes (a lone node signs at once)
  const team = teamOnTestnet(2)
  const nodeB = () => team.nodes[1] as TestNode
  beforeAll(async () => {
    await Promise.all(team.nodes.map((t) => t.restart({ swarm: false })))
  })

  /** Every message after `cursor`, pages of 4 (the cursor moves often). */
  async function pageFrom(t: TestNode, ch: string, cursor: string) {
    const ids: string[] = []
    for (let i = 0; i < 50; i++) {
      const page = await t.api.ok<Page>('GET', `/api/channels/${ch}/messages?after_id=${cursor}&limit=4`)
      ids.push(...page.messages.map((m) => m.id))
      cursor = page.next_after_id
      if (!page.has_more) break
    }
    return { ids, cursor }
  }
  const post = async (t: TestNode, ch: string, n: number) => {
    const ids: string[] = []
    for (let i = 0; i < n; i++)
      ids.push(
        (await t.api.ok<{ id: string }>('POST', `/api/channels/${ch}/messages`, { content: `${i}` })).id,
      )
    return ids
  }
  /** `before` posts paged through (their notes taken), then `after` more, still unsigned. */
  const readThenPost = async (t: TestNode, ch: string, before: number, after: number) => {
    const first = await post(t, ch, before)
    const seen = await pageFrom(t, ch, '0')
    expect(seen.ids).toEqual(first)
    const more = await post(t, ch, after)
    expect(unsigned(t)).toBeGreaterThan(0)
    return { first, seen, more }
  }
  const channelRecord = async (t: TestNode, ch: string) => {
    const record = (await t.node.log.view.get(`ch/${ch}`))?.value as ChannelRecord | undefined
    if (!record) throw new Error(`no channel record for ${ch}`)
    return record
  }
  const unsigned = (t: TestNode) => {
    const core = t.node.log.view.core as unknown as { length: number; signedLength: number }
    return core.length - core.signedLength
  }

  it('pages every message once and in order, and again from each cursor', async () => {
    const B = nodeB()
    const first = await post(B, 'noted', 10)
    expect(unsigned(B)).toBeGreaterThan(0)
    const all = await pageFrom(B, 'noted', '0')
    expect(all.ids).toEqual(first)
    const more = await post(B, 'noted', 6)
    const next = await pageFrom(B, 'noted', all.cursor)
    expect(next.ids).toEqual(more)
    expect((await pageFrom(B, 'noted', next.cursor)).ids).toEqual([])
    expect((await pageFrom(B, 'noted', '0')).ids).toEqual([...first, ...more])
  })

  it('notes that do not end at the view’s last item are not trusted: the view is read', async () => {
    const B = nodeB()
    const { first, seen, more } = await readThenPost(B, 'bogus', 4, 5)
    // the notes of the latest positions name nothing the view holds
    const { gen, msgSeq } = await channelRecord(B, 'bogus')
    expect(msgSeq).toBe(first.length + more.length)
    for (let s = first.length + 1; s <= msgSeq; s++) B.node.log.placements.note('m', 'bogus', gen, s, 'bogus')
    const next = await pageFrom(B, 'bogus', seen.cursor)
    expect(next.ids).toEqual(more)
    expect((await pageFrom(B, 'bogus', '0')).ids).toEqual([...first, ...more])
  })

  it('notes made over another view than the one autobase applies to are not trusted', async () => {
    const B = nodeB()
    const { first, seen, more } = await readThenPost(B, 'moved', 3, 4)
    // both ends as the view has them, the middle not: only the view they were noted over tells
    const { gen } = await channelRecord(B, 'moved')
    const noted = [more[0] as string, 'elsewhere-1', 'elsewhere-2', more[3] as string]
    B.node.log.placements.clear({}) // as if noted over a view a fast-forward replaced
    for (const [i, id] of noted.entries())
      B.node.log.placements.note('m', 'moved', gen, first.length + 1 + i, id)
    const next = await pageFrom(B, 'moved', seen.cursor)
    expect(next.ids).toEqual(more)
  })
})
