// A team of nodes on a loopback testnet for one describe block, and what the reorder tests read
// of a node's view (helpers.ts stays free of vitest: the p2p benchmarks import it outside the
// test runner).
import { afterAll, beforeAll } from 'vitest'
import { channelSpace } from '../view/keys.js'
import type { ChannelRecord } from '../view/records.js'
import { closeAll, startTeam, startTestnet, type TestNode, type Testnet } from './helpers.js'

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

/** The view position (autobase's linearized order) of a message id in a channel on a node. */
export async function viewSeq(t: TestNode, channel: string, id: string): Promise<number> {
  const record = (await t.node.log.view.get(`ch/${channel}`))?.value as ChannelRecord
  const seq = (await t.node.log.view.get(channelSpace(channel, record.gen).messageId(id)))?.value
  if (typeof seq !== 'number') throw new Error(`${id} not in the view`)
  return seq
}
