// The relay bridge when the relay is down: the node starts and serves its API anyway, reports the
// relay as disconnected with a push lag, and catches up by itself (backoff) once the relay is back
// on the same address, also after a second outage.
import { afterAll, describe, expect, it } from 'vitest'
import { signup, startRelay, stopRelay } from '../../relay/test/relays.js'
import { RelaySync } from '../../sdk/client/relay-sync.js'
import { tearDown } from './bridge-support.js'
import { eventually, openNode, type TestNode, tempDir } from './helpers.js'

const nodes: TestNode[] = []

afterAll(async () => {
  await tearDown(nodes)
})

describe('relay bridge with the relay down', () => {
  it('never fails the node, and catches up when the relay comes back', async () => {
    let relay = await startRelay()
    const port = relay.port
    const key = await signup(relay.url, 'outage')
    await stopRelay(relay)

    const a = await openNode(await tempDir(), null, { name: 'alice', relay: { url: relay.url, key } })
    nodes.push(a)
    for (let i = 0; i < 3; i++)
      await a.api.ok('POST', '/api/channels/general/messages', { content: `offline ${i}` })
    await eventually(async () => {
      const s = a.node.bridge?.status()
      expect(s).toMatchObject({ state: 'disconnected', connected: false })
      expect(s?.last_error).toBeTruthy()
      expect(s?.lag).toBeGreaterThan(0)
    })

    relay = await startRelay(port)
    const sync = new RelaySync({ url: relay.url, key })
    const pushedIds = async () => (await sync.pull(a.node.teamId, null, 500)).envelopes.map((e) => e.id)
    await eventually(async () => {
      expect(a.node.bridge?.status()).toMatchObject({ connected: true, lag: 0 })
      expect((await pushedIds()).length).toBeGreaterThanOrEqual(4) // the genesis and 3 messages
    }, 45_000)

    await stopRelay(relay)
    await a.api.ok('POST', '/api/channels/general/messages', { content: 'during the second outage' })
    relay = await startRelay(port)
    await eventually(async () => {
      const res = await fetch(`${relay.url}/api/channels/general/messages`, {
        headers: { authorization: `Bearer ${key}` },
      })
      const page = (await res.json()) as { messages: Array<{ content: string }> }
      // the node's messages, mirrored as hf1: envelopes (ciphertext: the relay holds no key)
      expect(page.messages).toHaveLength(4)
      expect(page.messages.every((m) => m.content.startsWith('hf1:'))).toBe(true)
    }, 45_000)
    expect(new Set(await pushedIds()).size).toBe((await pushedIds()).length)
  }, 120_000)
  it('reports each relay restart: disconnected at once, connected again after', async () => {
    let relay = await startRelay()
    const port = relay.port
    const key = await signup(relay.url, 'flapping')
    const a = await openNode(await tempDir(), null, { name: 'alice', relay: { url: relay.url, key } })
    nodes.push(a)
    for (let i = 0; i < 4; i++) {
      await eventually(async () => expect(a.node.bridge?.status().connected).toBe(true), 40_000)
      await a.api.ok('POST', '/api/channels/general/messages', { content: `round ${i}` })
      await stopRelay(relay)
      // a push that went through just before must not keep it "connected"
      await eventually(async () => expect(a.node.bridge?.status().state).toBe('disconnected'), 5_000)
      relay = await startRelay(port)
    }
    await eventually(
      async () => expect(a.node.bridge?.status()).toMatchObject({ connected: true, lag: 0 }),
      40_000,
    )
  }, 180_000)
})
