// A team of nodes on a loopback testnet for one describe block, and what the reorder tests read
// of a node's view (helpers.ts stays free of vitest: the p2p benchmarks import it outside the
// test runner).
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, expect } from 'vitest'
import { channelSpace } from '../view/keys.js'
import type { ChannelRecord } from '../view/records.js'
import {
  closeAll,
  eventually,
  openNode,
  startTeam,
  startTestnet,
  type TestNode,
  type Testnet,
  tempDir,
} from './helpers.js'

export interface TeamOnTestnet {
  testnet: Testnet
  nodes: TestNode[]
}

/**
 * For one describe block: a loopback testnet and a team of `size` nodes joined through real
 * invites (startTeam). Filled in by a beforeAll, closed by an afterAll.
 */
export function teamOnTestnet(size: number): TeamOnTestnet {
  const team = { nodes: [] } as unknown as TeamOnTestnet
  beforeAll(async () => {
    team.testnet = await startTestnet()
    team.nodes = await startTeam(size, team.testnet)
  }, 120_000)
  afterAll(async () => {
    await closeAll(team.nodes)
    await team.testnet?.destroy()
  })
  return team
}

/** For one describe block: a node of its own team, with no swarm. `.node` is set by a beforeAll. */
export function soloNode(name = 'alice'): { node: TestNode } {
  const solo = {} as { node: TestNode }
  beforeAll(async () => {
    solo.node = await openNode(await tempDir(), null, { name })
  })
  afterAll(async () => {
    await solo.node?.node.close()
    if (solo.node) await rm(solo.node.dir, { recursive: true, force: true })
  })
  return solo
}

/** The view position (autobase's linearized order) of a message id in a channel on a node. */
export async function viewSeq(t: TestNode, channel: string, id: string): Promise<number> {
  const record = (await t.node.log.view.get(`ch/${channel}`))?.value as ChannelRecord
  const seq = (await t.node.log.view.get(channelSpace(channel, record.gen).messageId(id)))?.value
  if (typeof seq !== 'number') throw new Error(`${id} not in the view`)
  return seq
}

/**
 * A and B each post `n` messages to `channel`, alternately (a0, b0, a1, b1...; content is the
 * name), with `more(i)` merged into each body; the ids by content.
 */
export async function postAlternately(
  A: TestNode,
  B: TestNode,
  channel: string,
  n: number,
  more: (i: number) => Record<string, unknown> = () => ({}),
): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (let i = 0; i < n; i++) {
    for (const [name, t] of [
      ['a', A],
      ['b', B],
    ] as const) {
      const body = { content: `${name}${i}`, ...more(i) }
      const m = await t.api.ok<{ id: string }>('POST', `/api/channels/${channel}/messages`, body)
      ids.set(`${name}${i}`, m.id)
    }
  }
  return ids
}

/** Both back on the swarm, until each lists `count` messages in `channel` (the logs merged). */
export async function heal(A: TestNode, B: TestNode, channel: string, count: number): Promise<void> {
  await A.restart({ swarm: true })
  await B.restart({ swarm: true })
  for (const t of [A, B])
    await eventually(async () => {
      const list = await t.api.ok<Array<{ name: string; message_count: number }>>('GET', '/api/channels')
      expect(list.find((c) => c.name === channel)?.message_count).toBe(count)
    }, 90_000)
}
