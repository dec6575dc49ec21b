// Invites: a code works once; the role it carries is enforced by every node (a reader device
// may ack but not write); a code that is not one is refused before any network use.
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { joinTeam } from '../join.js'
import {
  closeAll,
  eventually,
  openNode,
  startTestnet,
  type TestNode,
  type Testnet,
  tempDir,
} from './helpers.js'

describe('invites and roles', () => {
  let testnet: Testnet
  const nodes: TestNode[] = []
  const dirs: string[] = []
  const scratch = async () => {
    const dir = await tempDir()
    dirs.push(dir)
    return dir
  }

  beforeAll(async () => {
    testnet = await startTestnet()
    nodes.push(await openNode(await tempDir(), testnet, { name: 'alice' }))
  }, 60_000)

  afterAll(async () => {
    await closeAll(nodes)
    await testnet?.destroy()
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('a reader joins, reads and acks, but cannot write; its code does not work twice', {
    timeout: 90_000,
  }, async () => {
    const [alice] = nodes as [TestNode]
    const posted = await alice.api.ok('POST', '/api/channels/news/messages', { content: 'read me' })
    const { code } = await alice.api.ok('POST', '/api/node/invites', { name: 'rita', role: 'reader' })
    const dir = await tempDir()
    const joined = await joinTeam({ dataDir: dir, code, bootstrap: testnet.bootstrap, timeoutMs: 60_000 })
    expect(joined).toMatchObject({ name: 'rita', role: 'reader' })
    const rita = await openNode(dir, testnet)
    nodes.push(rita)

    const page = await eventually(async () => {
      const p = await rita.api.ok('GET', '/api/channels/news/messages')
      expect(p.messages).toHaveLength(1)
      return p
    })
    expect(page.messages[0]).toMatchObject({ id: posted.id, content: 'read me', sender: 'alice' })
    const write = await rita.api.call('POST', '/api/channels/news/messages', { content: 'no' })
    expect(write.status).toBe(403)
    expect(write.body.code).toBe('FORBIDDEN')
    const ack = await rita.api.call('POST', '/api/channels/news/ack', { last_read_id: posted.id })
    expect(ack.status).toBe(200)
    await eventually(async () =>
      expect(await alice.api.ok('GET', '/api/channels/news/acks')).toEqual([
        expect.objectContaining({ sender: 'rita', last_read_id: posted.id }),
      ]),
    )

    await expect(
      joinTeam({ dataDir: await scratch(), code, bootstrap: testnet.bootstrap, timeoutMs: 8_000 }),
    ).rejects.toThrow(/already used|no answer/) // the inviter stops listening for a used code
  })

  it('a malformed code is a usage error', async () => {
    await expect(
      joinTeam({ dataDir: await scratch(), code: 'hello', bootstrap: testnet.bootstrap }),
    ).rejects.toThrow('that is not an invite code')
  })
})
