// wait_for_messages end to end: two agents (the built CLI over stdio, the MCP SDK's Client) on a
// real relay; bob blocks on the stream while alice posts.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type McpAgent, signup, startAgent, startRelay, type TestRelay, textOf } from './harness.js'

let relay: TestRelay
let alice: McpAgent
let bob: McpAgent
const run = randomBytes(3).toString('hex')
const channel = `wait-${run}`

beforeAll(async () => {
  relay = await startRelay(inject('redisUrl'))
  const adminKey = await signup(relay.url, `mcp-wait-${run}`, 'alice')
  alice = await startAgent({ RELAY_API_URL: relay.url, RELAY_API_KEY: adminKey })
  const bobKey = await alice.ok('create_key', { sender_name: 'bob', permissions: { '*': 'write' } })
  bob = await startAgent({ RELAY_API_URL: relay.url, RELAY_API_KEY: bobKey.structuredContent.api_key })
  await alice.ok('create_channel', { name: channel })
})

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()])
  await relay?.stop()
})

describe('wait_for_messages', () => {
  it('wait_for_messages times out cleanly, then returns a mention posted by another agent', async () => {
    const quiet = await bob.ok('wait_for_messages', { channels: [channel], timeout_seconds: 0.5 })
    expect(quiet.structuredContent).toMatchObject({ messages: [], timed_out: true, channels: [channel] })
    expect(quiet.structuredContent.waited_ms).toBeGreaterThanOrEqual(450)
    expect(textOf(quiet)).toContain('timed out')

    // bob blocks on the stream; alice posts a message for someone else, then one for bob
    const started = Date.now()
    const waiting = bob.ok('wait_for_messages', {
      channels: [channel],
      mentions_only: true,
      timeout_seconds: 20,
    })
    await new Promise((r) => setTimeout(r, 700))
    await alice.ok('post_message', { channel, content: 'not for bob', mention: 'carol' })
    await bob.ok('post_message', { channel, content: 'bob talking to himself', mention: 'bob' })
    const forBob = await alice.ok('post_message', { channel, content: 'your turn', mention: 'bob' })
    const woke = await waiting
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(woke.structuredContent.timed_out).toBe(false)
    expect(woke.structuredContent.messages.map((m: any) => m.id)).toEqual([forBob.structuredContent.id])
    expect(textOf(woke)).toContain('your turn')

    // posted between two waits: the next wait still returns it, and only it
    const between = await alice.ok('post_message', { channel, content: 'while you were busy' })
    const next = await bob.ok('wait_for_messages', { channels: [channel], timeout_seconds: 5 })
    expect(next.structuredContent.messages.map((m: any) => m.id)).toEqual([between.structuredContent.id])
  })

  it('a key revoked during wait_for_messages ends the wait with a clear error', async () => {
    const carolKey = await alice.ok('create_key', { sender_name: 'carol', permissions: { '*': 'write' } })
    const carol = await startAgent({
      RELAY_API_URL: relay.url,
      RELAY_API_KEY: carolKey.structuredContent.api_key,
    })
    try {
      await carol.ok('wait_for_messages', { channels: [channel], timeout_seconds: 0 })
      const started = Date.now()
      const waiting = carol.call('wait_for_messages', { channels: [channel], timeout_seconds: 20 })
      await new Promise((r) => setTimeout(r, 700))
      await alice.ok('revoke_key', { key_hash: carolKey.structuredContent.key_id })
      const result = await waiting
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(result.isError).toBe(true)
      expect(result.structuredContent).toMatchObject({ code: 'INVALID_API_KEY' })
    } finally {
      await carol.close()
    }
  }, 60_000) // starting a CLI agent process alone has taken 10+ s on a loaded CI machine

  it('reports progress while it waits, so a client can reset its request timeout', async () => {
    const progress: string[] = []
    const result = await bob.client.callTool(
      { name: 'wait_for_messages', arguments: { channels: [channel], timeout_seconds: 9 } },
      undefined,
      { timeout: 7_000, resetTimeoutOnProgress: true, onprogress: (p) => progress.push(String(p.message)) },
    )
    // the 7 s request timeout was reset by the progress notification at 5 s
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({ timed_out: true })
    expect(progress).toEqual([`waiting on ${channel}`])
  }, 20_000)

  it('wait_for_messages on an invalid channel name is a tool error', async () => {
    const result = await bob.call('wait_for_messages', { channels: ['Not Valid!'], timeout_seconds: 1 })
    expect(result.isError).toBe(true)
    expect(result.structuredContent).toMatchObject({ code: 'INVALID_CHANNEL_NAME', status: 400 })
  })
})
