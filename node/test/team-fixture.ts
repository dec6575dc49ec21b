// A team of nodes on a loopback testnet for one describe block (helpers.ts stays free of vitest:
// the p2p benchmarks import it outside the test runner).
import { afterAll, beforeAll } from 'vitest'
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
