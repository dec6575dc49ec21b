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
  const walkAll = async (t: TestNode, mark: Mark, reverse = false) => {
    const record = (await t.node.log.view.get(`ch/${CH}`))?.value as ChannelRecord
    const seen: Array<{ aseq: number; id: string }> = []
    const after = reverse ? Number.MAX_SAFE_INTEGER : 0
    for await (const { aseq, record: r } of arrivalsOf(t).walk(
      CH,
      mark,
      channelSpace(CH, record.gen),
      after,
      {
        reverse,
      },
    ))
      seen.push({ aseq, id: (r as { id: string }).id })
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
    // once the indexers signed them, a sync folds the entries into base (and deletes them)
    await eventually(async () => expect(((await arrivalsOf(B).sync(CH)) as Mark).base).toBe(6), 60_000)
    expect(await walkAll(B, old)).toEqual(expected)
    expect(await walkAll(B, old, true)).toEqual([...expected].reverse())
  }, 120_000)
})
