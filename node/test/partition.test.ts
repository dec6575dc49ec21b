// Partition and heal: A and B go offline and write (messages, a conflicting status, acks) while C
// writes alone; when they come back all three converge to the same view, nothing lost, nothing
// duplicated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Api,
  closeAll,
  eventually,
  startTeam,
  startTestnet,
  type TestNode,
  type Testnet,
} from './helpers.js'

describe('partition and heal', () => {
  let testnet: Testnet
  let nodes: TestNode[]

  beforeAll(async () => {
    testnet = await startTestnet()
    nodes = await startTeam(3, testnet)
  }, 120_000)

  afterAll(async () => {
    await closeAll(nodes ?? [])
    await testnet?.destroy()
  })

  const view = async (api: Api) => {
    const messages = []
    let after = '0'
    for (;;) {
      const page = await api.ok('GET', `/api/channels/ops/messages?after_id=${after}&limit=100`)
      messages.push(...page.messages.map((m: { id: string; content: string }) => `${m.id} ${m.content}`))
      if (!page.has_more) break
      after = page.next_after_id
    }
    return {
      // each node pages in its own arrival order (node/arrivals.ts): the same messages, compared as a set
      messages: messages.sort(),
      status: await api.ok('GET', '/api/channels/ops/status'),
      acks: await api.ok('GET', '/api/channels/ops/acks'),
    }
  }

  it('writes made apart converge once the nodes meet again', async () => {
    const [A, B, C] = nodes as [TestNode, TestNode, TestNode]
    const seed = await A.api.ok('POST', '/api/channels/ops/messages', { content: 'before the split' })
    await eventually(async () => expect((await view(C.api)).messages).toHaveLength(1))

    await A.restart({ swarm: false })
    await B.restart({ swarm: false })
    const written: string[] = [seed.id]
    for (let i = 0; i < 15; i++) {
      for (const [name, node] of [
        ['a', A],
        ['b', B],
        ['c', C],
      ] as const) {
        const m = await node.api.ok('POST', '/api/channels/ops/messages', { content: `${name}${i}` })
        written.push(m.id)
      }
    }
    await A.api.ok('PUT', '/api/channels/ops/status', { key: 'owner', value: 'alice' })
    await B.api.ok('PUT', '/api/channels/ops/status', { key: 'owner', value: 'bob' })
    await B.api.ok('POST', '/api/channels/ops/ack', { last_read_id: seed.id })
    // apart, each sees only its own writes (and what it had before)
    expect((await view(A.api)).messages).toHaveLength(16)

    await A.restart({ swarm: true })
    await B.restart({ swarm: true })
    const final = await eventually(async () => {
      const v = await view(A.api)
      expect(v.messages).toHaveLength(written.length)
      return v
    }, 60_000)
    expect(new Set(final.messages.map((m: string) => m.split(' ')[0]))).toEqual(new Set(written))
    expect(final.status).toHaveLength(1)
    expect(final.acks).toHaveLength(1)
    for (const node of [B, C])
      await eventually(async () => expect(await view(node.api)).toEqual(final), 60_000)
    // two restarts, 45 writes and two 60 s convergence waits: the default 30 s cut it short on
    // loaded machines while it was still converging
  }, 180_000)
})
