// Teardown for the bridge tests: each step (closing nodes, relays, the testnet) is bounded; a step
// that overruns is named on stderr and the teardown goes on. "stop relays" used to overrun: a
// node bridge closing mid-reconnect left a connection with no request on it, which Node's
// server.close() waits on forever; the relay now ends such connections when it closes
// (relay/quiet-close.ts). The bound stays, so a new leak is named instead of hanging the file.
import { afterAll, beforeAll } from 'vitest'
import { type RunningRelay, signup, startRelay, stopAllRelays } from '../../relay/test/relays.js'
import { type Api, closeAll, startTeam, startTestnet, type TestNode, type Testnet } from './helpers.js'

export async function bounded(what: string, step: Promise<unknown>, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms)
  })
  const outcome = await Promise.race([step.then(() => 'done' as const), late])
  clearTimeout(timer)
  if (outcome === 'late') console.warn(`bridge test teardown: "${what}" did not settle within ${ms} ms`)
}

/** Everything a bridge test opened: its nodes, the relays, the testnet if it had one. */
export async function tearDown(nodes: TestNode[], testnet?: Testnet): Promise<void> {
  await bounded('close nodes', closeAll(nodes))
  await bounded('stop relays', stopAllRelays())
  if (testnet) await bounded('destroy testnet', testnet.destroy())
}

export interface BridgedTeam {
  relay: RunningRelay
  /** the relay team's admin key, which both nodes bridge with */
  relayKey: string
  testnet: Testnet
  nodes: TestNode[]
}

/**
 * For one describe block: a relay, and a two-node team formed the usual way (invite + join over a
 * loopback testnet) whose nodes then restart with no swarm at all, so that the relay is their only
 * link. Filled in by a beforeAll, torn down by an afterAll.
 */
export function bridgedTeam(relayTeam: string): BridgedTeam {
  const team = { nodes: [] } as unknown as BridgedTeam
  beforeAll(async () => {
    team.relay = await startRelay()
    team.relayKey = await signup(team.relay.url, relayTeam)
    team.testnet = await startTestnet()
    team.nodes = await startTeam(2, team.testnet)
    const relay = { url: team.relay.url, key: team.relayKey }
    for (const n of team.nodes) await n.restart({ swarm: false, relay })
  }, 120_000)
  afterAll(async () => {
    await tearDown(team.nodes, team.testnet)
  })
  return team
}

/** The messages of a channel as a node's API lists them (none while the channel is not there yet). */
export async function messagesOf<M = { id: string; content: string }>(
  api: Api,
  channel: string,
): Promise<M[]> {
  const res = await api.call<{ messages: M[] }>('GET', `/api/channels/${channel}/messages?limit=100`)
  return res.status === 200 ? res.body.messages : []
}
