// Partition and heal: A and B go offline and write (messages, a conflicting status, acks) while C
// writes alone; when they come back all three converge to the same view, nothing lost, nothing
// duplicated.
import { describe, expect, it } from 'vitest'
import { type Api, converge, describeSwarm, type TestNode, within } from './helpers.js'
import { teamOnTestnet } from './team-fixture.js'

/** A restart (close, reopen) that takes longer than this is a hang, not load. */
const RESTART_MS = 30_000
/** Convergence after the heal: two nodes come back and must meet and exchange ~45 writes. */
const HEAL_MS = 60_000

describe('partition and heal', () => {
  const team = teamOnTestnet(3)

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
    const [A, B, C] = team.nodes as [TestNode, TestNode, TestNode]
    const names = new Map<TestNode, string>([
      [A, 'A'],
      [B, 'B'],
      [C, 'C'],
    ])
    const swarms = () => [...names].map(([n, name]) => `${name}: ${describeSwarm(n)}`).join('\n')
    const seed = await A.api.ok('POST', '/api/channels/ops/messages', { content: 'before the split' })
    await converge(
      "C reads A's first message",
      async () => expect((await view(C.api)).messages).toHaveLength(1),
      20_000,
      swarms,
    )

    await within('A restart without swarm', RESTART_MS, A.restart({ swarm: false }))
    await within('B restart without swarm', RESTART_MS, B.restart({ swarm: false }))
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

    const healed = Date.now()
    await within('A restart with swarm', RESTART_MS, A.restart({ swarm: true }))
    await within('B restart with swarm', RESTART_MS, B.restart({ swarm: true }))
    const final = await converge(
      `A holds all ${written.length} messages`,
      async () => {
        const v = await view(A.api)
        expect(v.messages).toHaveLength(written.length)
        return v
      },
      HEAL_MS,
      swarms,
    )
    expect(new Set(final.messages.map((m: string) => m.split(' ')[0]))).toEqual(new Set(written))
    expect(final.status).toHaveLength(1)
    expect(final.acks).toHaveLength(1)
    for (const node of [B, C])
      await converge(
        `${names.get(node)} has the same view as A`,
        async () => expect(await view(node.api)).toEqual(final),
        HEAL_MS,
        swarms,
      )
    // how long the heal took, for docs/node.md (restarts included)
    console.log(`partition: healed in ${Date.now() - healed} ms`)
    // the steps fail on their own budgets above, each naming what did not converge; this is the sum
  }, 180_000)
})
