// A read that walks the arrival order with the mark of an earlier sync, after a later sync folded
// the tail into `base` (the indexers signed it meanwhile): the folded entries are gone from the
// arrivals bee, and the walk must still yield every item, from the view, once and in order.
import { describe, expect, it } from 'vitest'
import type { Mark } from '../arrivals.js'
import { channelSpace } from '../view/keys.js'
import type { ChannelRecord } from '../view/records.js'
import { eventually, type TestNode } from './helpers.js'
import { heal, teamOnTestnet } from './team-fixture.js'

const CH = 'fold'

describe('arrival order across a fold', () => {
  const team = teamOnTestnet(2)

  const arrivalsOf = (t: TestNode) => {
    const arrivals = t.node.store.reader.arrivals
    if (!arrivals) throw new Error('no arrival order on this node')
    return arrivals
  }
  const spaceOf = async (t: TestNode) => {
    const record = (await t.node.log.view.get(`ch/${CH}`))?.value as ChannelRecord
    return channelSpace(CH, record.gen)
  }
  const walkAll = async (t: TestNode, mark: Mark, reverse = false) => {
    const seen: Array<{ aseq: number; id: string }> = []
    const walk = arrivalsOf(t).walk(CH, mark, await spaceOf(t), reverse ? mark.last : 0, { reverse })
    for await (const { aseq, record } of walk) seen.push({ aseq, id: (record as { id: string }).id })
    return seen
  }

  it('a walk with an older mark yields the folded items from the view', async () => {
    const [A, B] = team.nodes as [TestNode, TestNode]
    await A.restart({ swarm: false })
    await B.restart({ swarm: false })
    // apart, B's posts stay unsigned until A (the other indexer) has them: a read on B gives
    // them tail entries
    for (let i = 0; i < 6; i++) await B.api.ok('POST', `/api/channels/${CH}/messages`, { content: `m${i}` })
    const old = (await arrivalsOf(B).sync(CH)) as Mark
    expect(old.last - old.base).toBe(6)
    const expected = await walkAll(B, old)
    expect(expected.map((e) => e.aseq)).toEqual([1, 2, 3, 4, 5, 6])

    await heal(A, B, CH, 6)
    // once the indexers signed them (both ack now, not on autobase's timer), a sync folds the
    // entries into base and deletes them
    await eventually(async () => {
      for (const t of [A, B]) await (t.node.log.base as unknown as { ack(): Promise<void> }).ack()
      const mark = await arrivalsOf(B).sync(CH)
      expect(mark?.base).toBe(6)
    }, 60_000)
    expect(await walkAll(B, old)).toEqual(expected)
    expect(await walkAll(B, old, true)).toEqual([...expected].reverse())
    // a cursor resolved with the older mark: the same aseq, and back to the same id
    const space = await spaceOf(B)
    for (const { aseq, id } of expected) {
      expect(await arrivalsOf(B).aseqOf(CH, old, space, id)).toBe(aseq)
      expect(await arrivalsOf(B).idAt(CH, old, space, aseq)).toBe(id)
    }

    // apart again, two more posts get tail entries 7 and 8: the older mark's walk meets the gap
    // (1..6 folded) before the entries, and reads it from the view
    await A.restart({ swarm: false })
    await B.restart({ swarm: false })
    for (let i = 6; i < 8; i++) await B.api.ok('POST', `/api/channels/${CH}/messages`, { content: `m${i}` })
    const now = (await arrivalsOf(B).sync(CH)) as Mark
    expect([now.base, now.last]).toEqual([6, 8])
    const all = await walkAll(B, now)
    expect(all.map((e) => e.aseq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(await walkAll(B, old)).toEqual(all)
  }, 120_000)
})
