// The relay bridge with a real relay (Redis from the test setup) and real nodes: two nodes with
// no swarm at all exchange operations through the relay alone, a restarted node resumes from
// its cursors on disk, and with the swarm and the relay both on each operation is applied once.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { bridgeFile } from '../bridge/index.js'
import { bridgedTeam, messagesOf } from './bridge-support.js'
import { type Api, eventually, type TestNode } from './helpers.js'

type Msg = { id: string; content: string; sender: string }

async function contents(api: Api, channel: string): Promise<string[]> {
  return (await messagesOf<Msg>(api, channel)).map((m) => m.content)
}

describe('relay bridge', () => {
  const team = bridgedTeam('bridge')

  it('two nodes with no common DHT exchange messages through the relay', async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    expect(a.node.swarm).toBeNull()
    expect(b.node.swarm).toBeNull()
    const fromA = await a.api.ok<Msg>('POST', '/api/channels/general/messages', {
      content: 'hello via relay',
    })
    const fromB = await b.api.ok<Msg>('POST', '/api/channels/general/messages', { content: 'hi back' })
    await a.api.ok('PUT', '/api/channels/general/status', { key: 'deploy', value: 'blue' })
    for (const n of [a, b]) {
      await eventually(async () =>
        expect(await contents(n.api, 'general')).toEqual(
          expect.arrayContaining(['hello via relay', 'hi back']),
        ),
      )
    }
    // same ids, same messages on both sides (the envelope decides the id, not the path)
    const pageB = await b.api.ok<{ messages: Msg[] }>('GET', '/api/channels/general/messages')
    expect(pageB.messages.find((m) => m.id === fromA.id)).toMatchObject({
      sender: 'alice',
      content: 'hello via relay',
    })
    const pageA = await a.api.ok<{ messages: Msg[] }>('GET', '/api/channels/general/messages')
    expect(pageA.messages.find((m) => m.id === fromB.id)).toMatchObject({ content: 'hi back' })
    await eventually(async () =>
      expect(await b.api.ok('GET', '/api/channels/general/status?key=deploy')).toEqual([
        expect.objectContaining({ value: 'blue', updated_by: 'alice' }),
      ]),
    )

    const status = await a.api.ok('GET', '/api/node/status')
    expect(status.relay).toMatchObject({
      configured: true,
      url: team.relay.url,
      state: 'connected',
      connected: true,
    })
    expect(status.relay.push.sent).toBeGreaterThan(0)
    await eventually(async () => expect((await a.api.ok('GET', '/api/node/status')).relay.lag).toBe(0))
  })

  it('a restarted node resumes from its cursors on disk', async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    await eventually(async () => expect(b.node.bridge?.status().lag).toBe(0))
    await b.node.close()
    const saved = JSON.parse(await readFile(bridgeFile(b.dir), 'utf8'))
    expect(saved.url).toBe(team.relay.url)
    expect(saved.pull).not.toBe('0')

    // while B is down, A writes; B's own write while offline is pushed when it comes back
    for (let i = 0; i < 3; i++)
      await a.api.ok('POST', '/api/channels/later/messages', { content: `missed ${i}` })
    await b.restart({ swarm: false, relay: { url: team.relay.url, key: team.relayKey } })
    await b.api.ok('POST', '/api/channels/later/messages', { content: 'b is back' })
    const all = ['missed 0', 'missed 1', 'missed 2', 'b is back']
    for (const n of [a, b])
      await eventually(async () => expect((await contents(n.api, 'later')).sort()).toEqual(all.sort()))

    // resumed, not restarted: it read only what it missed plus its own new write, and sent only that
    const s = b.node.bridge?.status()
    expect(s?.pull.received).toBeLessThanOrEqual(5)
    expect(s?.push.sent).toBeLessThanOrEqual(2)
  })

  it('a page pulled from the relay is appended as one batch: blocks shared, not one each', async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    const before = b.node.log.base.local.length
    await b.node.close()
    for (let i = 0; i < 40; i++) await a.api.ok('POST', '/api/channels/paged/messages', { content: `p${i}` })
    await eventually(async () => expect(a.node.bridge?.status().lag).toBe(0)) // all on the relay
    await b.restart({ swarm: false, relay: { url: team.relay.url, key: team.relayKey } })
    await eventually(async () => expect(await contents(b.api, 'paged')).toHaveLength(40))
    // 40 envelopes in one append take one block (node/log/blocks.ts); an autobase ack or two may
    // follow; one append per envelope took 40
    expect(b.node.log.base.local.length - before).toBeLessThanOrEqual(4)
  })

  it('with the swarm and the relay both on, every operation is applied once', async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    const relayOpt = { url: team.relay.url, key: team.relayKey }
    await a.restart({ swarm: true, relay: relayOpt })
    await b.restart({ swarm: true, relay: relayOpt })
    // peers connected: writes now travel both ways at once
    await eventually(async () => expect(a.node.swarm?.peers).toBeGreaterThanOrEqual(1), 30_000)
    const posts: Promise<unknown>[] = []
    for (let i = 0; i < 10; i++) {
      posts.push(a.api.ok('POST', '/api/channels/both/messages', { content: `a${i}` }))
      posts.push(b.api.ok('POST', '/api/channels/both/messages', { content: `b${i}` }))
    }
    await Promise.all(posts)
    const expected = Array.from({ length: 10 }, (_, i) => [`a${i}`, `b${i}`])
      .flat()
      .sort()
    for (const n of [a, b]) {
      await eventually(async () => expect((await contents(n.api, 'both')).sort()).toEqual(expected), 30_000)
    }
    // both paths delivered: B received A's envelopes from the relay too, and applied none twice
    await eventually(async () => expect(b.node.bridge?.status().pull.received).toBeGreaterThanOrEqual(10))
    for (const n of [a, b]) {
      const page = await n.api.ok<{ messages: Msg[] }>('GET', '/api/channels/both/messages?limit=100')
      expect(page.messages).toHaveLength(20)
      expect(new Set(page.messages.map((m) => m.id)).size).toBe(20)
      const channels = await n.api.ok<Array<{ name: string; message_count?: number }>>('GET', '/api/channels')
      expect(channels.find((c) => c.name === 'both')?.message_count).toBe(20)
    }
  })
})
