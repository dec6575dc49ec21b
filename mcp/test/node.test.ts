// `handoff mcp` on a local node: with no node running for HANDOFF_DATA it starts one in-process
// (on a private loopback DHT) and offers the node's tools; a second agent's server on the same
// data dir finds that node through node.json instead of starting another. (Every other tool
// against a node: tools-node.test.ts.)
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestnet, type Testnet } from '../../test/support/testnet.js'
import { type McpAgent, startAgent, textOf } from './harness.js'

let testnet: Testnet
let dir: string
let first: McpAgent
const env = () => ({
  HANDOFF_DATA: dir,
  HANDOFF_PORT: '0',
  HANDOFF_BOOTSTRAP: testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(','),
})

beforeAll(async () => {
  testnet = await startTestnet()
  dir = await mkdtemp(join(tmpdir(), 'handoff-mcp-node-'))
  first = await startAgent(env())
})

afterAll(async () => {
  await first?.close()
  await testnet?.destroy()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('handoff mcp with an embedded node', () => {
  it('starts a node for the data dir and says so on stderr only', async () => {
    const me = await first.ok('whoami')
    expect(me.structuredContent).toMatchObject({ connection: 'node' })
    const info = JSON.parse(await readFile(join(dir, 'node.json'), 'utf8'))
    expect(me.structuredContent.api_url).toBe(info.url)
    expect(first.stderr()).toContain('started an embedded node')
  })

  it('offers invite and sync_status on a node', async () => {
    const names = (await first.client.listTools()).tools.map((t) => t.name)
    expect(names.slice(-2)).toEqual(['invite', 'sync_status'])
    const invite = await first.ok('invite', { name: 'bob', role: 'member' })
    expect(typeof invite.structuredContent.code).toBe('string')
    expect(textOf(invite)).toContain(`handoff join ${invite.structuredContent.code}`)
    const status = await first.ok('sync_status')
    expect(status.structuredContent).toHaveProperty('peers')
    expect(textOf(status)).toContain('Peers connected:')
    const badRole = await first.call('invite', { name: 'eve', role: 'owner' })
    expect(badRole.isError).toBe(true)
  })

  it("lets a second agent's server share the running node, and take over when it stops", async () => {
    await first.ok('create_channel', { name: 'plans' })
    await first.ok('post_message', { channel: 'plans', content: 'ship it' })
    const second = await startAgent(env())
    try {
      const read = await second.ok('read_messages', { channel: 'plans' })
      expect(read.structuredContent.messages.map((m: any) => m.content)).toEqual(['ship it'])
      expect(second.stderr()).not.toContain('started an embedded node')

      // the session that started the node ends, and the node with it
      await first.close()
      const again = await second.ok('read_messages', { channel: 'plans' })
      expect(again.structuredContent.messages.map((m: any) => m.content)).toEqual(['ship it'])
      expect(second.stderr()).toContain('started an embedded node')
    } finally {
      await second.close()
    }
  }, 60_000)
})
