// How `handoff mcp` connects: a refused key, end-to-end encryption over a relay, and finding the
// server through the data dir. The built CLI over stdio against a real relay.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { signup, startAgent, startRelay, type TestRelay, textOf } from './harness.js'

let relay: TestRelay
const run = randomBytes(3).toString('hex')

beforeAll(async () => {
  relay = await startRelay(inject('redisUrl'))
})

afterAll(async () => {
  await relay?.stop()
})

describe('handoff mcp with a refused key', () => {
  it('answers every tool with a clear INVALID_API_KEY error and says so on stderr', async () => {
    const agent = await startAgent({ RELAY_API_URL: relay.url, RELAY_API_KEY: 'hf_not_a_real_key' })
    try {
      const result = await agent.call('list_channels')
      expect(result.isError).toBe(true)
      expect(result.structuredContent).toMatchObject({ code: 'INVALID_API_KEY', status: 401 })
      expect(textOf(result)).toContain('Handoff refused the API key')
      expect(textOf(result)).not.toMatch(/\bat .*\.js:\d+/)
      expect((await agent.client.listTools()).tools.length).toBe(21)
      await expect.poll(() => agent.stderr(), { timeout: 5_000 }).toContain('INVALID_API_KEY')
    } finally {
      await agent.close()
    }
  })
})

describe('handoff mcp with end-to-end encryption over a relay (HANDOFF_ENCRYPTION_KEY)', () => {
  it('posts ciphertext, reads plaintext with the team secret, and flags what a wrong secret cannot open', async () => {
    const adminKey = await signup(relay.url, `mcp-e2ee-${run}`, 'erin')
    const secret = `team-secret-${run}`
    const erin = await startAgent({
      RELAY_API_URL: relay.url,
      RELAY_API_KEY: adminKey,
      HANDOFF_ENCRYPTION_KEY: secret,
    })
    const agents = [erin]
    try {
      const ch = `e2ee-${run}`
      await erin.ok('create_channel', { name: ch })
      const frank = await erin.ok('create_key', { sender_name: 'frank', permissions: { '*': 'write' } })
      const frankKey = frank.structuredContent.api_key
      const [withSecret, wrong] = await Promise.all([
        startAgent({ RELAY_API_URL: relay.url, RELAY_API_KEY: frankKey, HANDOFF_ENCRYPTION_KEY: secret }),
        startAgent({ RELAY_API_URL: relay.url, RELAY_API_KEY: frankKey, HANDOFF_ENCRYPTION_KEY: 'wrong' }),
      ])
      agents.push(withSecret, wrong)

      await withSecret.ok('wait_for_messages', { channels: [ch], timeout_seconds: 0 })
      const posted = await erin.ok('post_message', {
        channel: ch,
        content: 'the launch code is 1234',
        mention: 'frank',
      })
      expect(posted.structuredContent.content).toBe('the launch code is 1234')

      // what the relay holds and serves is ciphertext
      const raw = await fetch(`${relay.url}/api/channels/${ch}/messages`, {
        headers: { authorization: `Bearer ${frankKey}` },
      })
      const stored = JSON.stringify(await raw.json())
      expect(stored).not.toContain('launch code')

      const woke = await withSecret.ok('wait_for_messages', {
        channels: [ch],
        mentions_only: true,
        timeout_seconds: 5,
      })
      expect(woke.structuredContent.messages.map((m: any) => m.content)).toEqual(['the launch code is 1234'])
      const read = await wrong.ok('read_messages', { channel: ch })
      expect(textOf(read)).not.toContain('launch code')
      expect(textOf(read)).toContain('could not be opened')
      expect(read.structuredContent.messages[0].decrypt_error).toBeTruthy()
    } finally {
      await Promise.allSettled(agents.map((a) => a.close()))
    }
  }, 90_000) // three processes deriving an Argon2id key each: slow on a loaded 2-core machine
})

describe('handoff mcp finding its server through HANDOFF_DATA', () => {
  it('reads the URL and key a running server left in the data dir (api-key, node.json)', async () => {
    // The relay serves the same API as a node, which is all discovery needs.
    const dir = await mkdtemp(join(tmpdir(), 'handoff-mcp-data-'))
    const key = await signup(relay.url, `mcp-data-${run}`, 'dana')
    await writeFile(join(dir, 'api-key'), `${key}\n`, { mode: 0o600 })
    await writeFile(join(dir, 'node.json'), JSON.stringify({ url: relay.url, pid: process.pid }))
    const agent = await startAgent({ HANDOFF_DATA: dir })
    try {
      const me = await agent.ok('whoami')
      expect(me.structuredContent).toMatchObject({ sender: 'dana', connection: 'node', api_url: relay.url })
    } finally {
      await agent.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
