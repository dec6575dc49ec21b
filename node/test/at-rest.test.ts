// What a copied data dir reveals without its key file: the corestore's raw bytes hold no message
// text, status value, channel description, member name or agent sender name. Channel names and
// status keys are header fields in clear, which also shows the scan reads the raw bytes.
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openNode, type TestNode, tempDir } from './helpers.js'

async function rawBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = []
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) await walk(path)
      else parts.push(await readFile(path))
    }
  }
  await walk(dir)
  return Buffer.concat(parts)
}

describe('a copied data dir without identity.json', () => {
  let node: TestNode | null = null

  afterAll(async () => {
    await node?.node.close()
    if (node) await rm(node.dir, { recursive: true, force: true })
  })

  it('holds ciphertext only for texts, values and names', async () => {
    node = await openNode(await tempDir(), null, { name: 'owner-name-zz' })
    const api = node.api
    await api.ok('POST', '/api/channels', { name: 'plain-channel-name', description: 'SECRET-DESCRIPTION' })
    for (let i = 0; i < 10; i++) {
      await api.ok('POST', '/api/channels/plain-channel-name/messages', { content: `SECRET-TEXT-${i}` })
    }
    await api.ok('PUT', '/api/channels/plain-channel-name/status', {
      key: 'plain-status-key',
      value: 'SECRET-VALUE',
    })
    await api.ok('POST', '/api/keys', { sender_name: 'agent-name-zz' })
    await node.node.close()

    const raw = await rawBytes(join(node.dir, 'corestore'))
    const has = (s: string) => raw.includes(Buffer.from(s))
    expect(has('plain-channel-name')).toBe(true)
    expect(has('plain-status-key')).toBe(true)
    for (const secret of [
      'SECRET-TEXT-',
      'SECRET-VALUE',
      'SECRET-DESCRIPTION',
      'owner-name-zz',
      'agent-name-zz',
    ]) {
      expect(has(secret), secret).toBe(false)
    }

    // and with the key file the node reads it all back
    await node.restart()
    const page = await node.api.ok('GET', '/api/channels/plain-channel-name/messages')
    expect(page.messages.map((m: { content: string }) => m.content)).toContain('SECRET-TEXT-9')
    const keys = await node.api.ok('GET', '/api/keys')
    expect(keys.map((k: { sender: string }) => k.sender)).toEqual(['owner-name-zz', 'agent-name-zz'])
  })
})
