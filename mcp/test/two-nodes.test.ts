// Two agents on two nodes, as a team uses Handoff: each agent's `handoff mcp` runs an embedded
// node on its own data dir; the nodes replicate over a private loopback DHT. Agent A invites B,
// posts a mention; B's wait_for_messages returns it; B acks; A sees the ack.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { joinTeam } from '../../node/join.js'
import { startTestnet, type Testnet } from '../../test/support/testnet.js'
import { type McpAgent, startAgent } from './harness.js'

let testnet: Testnet
const dirs: string[] = []
const agents: McpAgent[] = []

function nodeEnv(dir: string) {
  return {
    HANDOFF_DATA: dir,
    HANDOFF_PORT: '0',
    HANDOFF_BOOTSTRAP: testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(','),
  }
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

beforeAll(async () => {
  testnet = await startTestnet()
  for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), `handoff-mcp-2nodes-${i}-`)))
})

afterAll(async () => {
  await Promise.allSettled(agents.map((a) => a.close()))
  await testnet?.destroy()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

describe('two agents on two nodes', () => {
  it("B's wait_for_messages returns A's mention, and A sees B's ack", async () => {
    const [dirA, dirB] = dirs as [string, string]
    const a = await startAgent(nodeEnv(dirA))
    agents.push(a)
    const aName = (await a.ok('whoami')).structuredContent.sender
    await a.ok('create_channel', { name: 'handoff' })
    const invite = await a.ok('invite', { name: 'bob' })
    await joinTeam({ dataDir: dirB, code: invite.structuredContent.code, bootstrap: testnet.bootstrap })

    const b = await startAgent(nodeEnv(dirB))
    agents.push(b)
    expect((await b.ok('whoami')).structuredContent).toMatchObject({ sender: 'bob', connection: 'node' })
    await eventually('the channel on B', async () => {
      const { channels } = (await b.ok('list_channels')).structuredContent
      return channels.some((c: { name: string }) => c.name === 'handoff') ? true : undefined
    })
    await b.ok('wait_for_messages', { channels: ['handoff'], timeout_seconds: 0 })

    const waiting = b.ok('wait_for_messages', {
      channels: ['handoff'],
      mentions_only: true,
      timeout_seconds: 25,
    })
    await a.ok('post_message', { channel: 'handoff', content: 'not for you', mention: 'carol' })
    const posted = await a.ok('post_message', { channel: 'handoff', content: 'over to you', mention: 'bob' })
    const woke = await waiting
    expect(woke.structuredContent.messages).toEqual([
      expect.objectContaining({ id: posted.structuredContent.id, sender: aName, content: 'over to you' }),
    ])

    await b.ok('ack', { channel: 'handoff', last_read_id: posted.structuredContent.id })
    const ack = await eventually("B's ack on A", async () => {
      const { acks } = (await a.ok('get_acks', { channel: 'handoff' })).structuredContent
      return acks.find((x: { sender: string }) => x.sender === 'bob')
    })
    expect(ack.last_read_id).toBe(posted.structuredContent.id)
  }, 120_000)
})
