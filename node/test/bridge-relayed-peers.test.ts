// A bridge pushes every envelope its node holds, not only its own, in causal order: C joins A
// over the swarm after B went relay-only, so B never saw C's MemberAdd by the swarm; C has no
// relay. C's messages still reach B (A pushes C's writer core after the MemberAdd they depend
// on) and B's reach C (A pulls them into its log, the swarm carries them to C).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningRelay, signup, startRelay } from '../../relay/test/relays.js'
import { joinTeam } from '../join.js'
import { tearDown } from './bridge-support.js'
import {
  type Api,
  eventually,
  openNode,
  startTeam,
  startTestnet,
  type TestNode,
  type Testnet,
  tempDir,
} from './helpers.js'

async function contents(api: Api, channel: string): Promise<string[]> {
  const res = await api.call<{ messages: Array<{ content: string }> }>(
    'GET',
    `/api/channels/${channel}/messages`,
  )
  return res.status === 200 ? res.body.messages.map((m) => m.content) : []
}

describe('relay bridge: envelopes of other writers', () => {
  let testnet: Testnet
  let relay: RunningRelay
  let nodes: TestNode[] = []

  beforeAll(async () => {
    relay = await startRelay()
    const key = await signup(relay.url, 'relayed-peers')
    testnet = await startTestnet()
    nodes = await startTeam(2, testnet)
    const [a, b] = nodes as [TestNode, TestNode]
    await b.restart({ swarm: false, relay: { url: relay.url, key } })
    await a.restart({ relay: { url: relay.url, key } })
    const invite = await a.api.ok<{ code: string }>('POST', '/api/node/invites', { name: 'carol' })
    const dir = await tempDir()
    await joinTeam({ dataDir: dir, code: invite.code, bootstrap: testnet.bootstrap, timeoutMs: 60_000 })
    nodes.push(await openNode(dir, testnet))
  }, 120_000)

  afterAll(async () => {
    await tearDown(nodes, testnet)
  })

  it('a swarm-only member and a relay-only member read each other through a node that has both', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
    expect(c.node.bridge).toBeNull()
    expect(b.node.swarm).toBeNull()
    await c.api.ok('POST', '/api/channels/mixed/messages', { content: 'from carol (swarm only)' })
    await b.api.ok('POST', '/api/channels/mixed/messages', { content: 'from bob (relay only)' })
    const both = ['from bob (relay only)', 'from carol (swarm only)']
    for (const n of [a, b, c]) {
      await eventually(async () => expect((await contents(n.api, 'mixed')).sort()).toEqual(both), 45_000)
    }
    // nothing was dropped on the way: C's envelopes reached B after the MemberAdd adding C
    const dropped: string[] = []
    for await (const e of b.node.log.view.createReadStream({ gt: 'x/', lt: 'x0' })) dropped.push(e.key)
    expect(dropped).toEqual([])
  })
})
