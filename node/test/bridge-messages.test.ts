// Messages between node users and HTTP-only clients of the relay, through the relay bridge of
// two swarm-less nodes: an SDK client holding the team's epoch keys reads a node's message on
// the relay; a plain HTTP client's and a sealing SDK client's messages reach both node users,
// each once although both nodes bridge; node messages are mirrored to the relay once.
import { describe, expect, it } from 'vitest'
import { Handoff } from '../../sdk/client/index.js'
import { bridgedTeam, messagesOf } from './bridge-support.js'
import { type Api, eventually, type TestNode } from './helpers.js'

type Msg = { id: string; content: string; sender: string; mention: string | null }

const read = (api: Api, channel: string) => messagesOf<Msg>(api, channel)

describe('relay bridge: messages with HTTP-only clients', () => {
  const team = bridgedTeam('bridge-messages')

  it("an SDK client holding the team's epoch keys reads a node's message on the relay", async () => {
    const [a] = team.nodes as [TestNode]
    const posted = await a.api.ok<Msg>('POST', '/api/channels/ops/messages', {
      content: 'deploy at 5',
      mention: 'bot',
    })
    const client = new Handoff({
      apiUrl: team.relay.url,
      apiKey: team.relayKey,
      encryptionKey: { epochs: a.node.identity.epochs },
    })
    const page = await eventually(async () => {
      const p = await client.read('ops')
      expect(p.messages.map((m) => m.content)).toContain('deploy at 5')
      return p
    })
    const m = page.messages.find((x) => x.content === 'deploy at 5')
    expect(m).toMatchObject({ encrypted: true, mention: 'bot' })
    // the relay itself holds only ciphertext
    const plain = new Handoff({ apiUrl: team.relay.url, apiKey: team.relayKey })
    const raw = (await plain.read('ops')).messages
    expect(raw.some((x) => x.content.includes('deploy'))).toBe(false)
    // mirrored once although both nodes bridge (B pulled it from the relay, never re-mirrors it)
    await new Promise((r) => setTimeout(r, 2_500))
    expect((await client.read('ops')).messages.filter((x) => x.content === 'deploy at 5')).toHaveLength(1)
    expect(posted.sender).toBe('alice')
  })

  it("HTTP clients' messages reach both node users, each once", async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    const curlKey = (
      await new Handoff({ apiUrl: team.relay.url, apiKey: team.relayKey }).createKey('ci-bot', {
        '*': 'write',
      } as never)
    ).api_key
    // a plain HTTP client (the seed's curl lines), and an SDK client sealing with the epoch keys
    const res = await fetch(`${team.relay.url}/api/channels/ops/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${curlKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'build 42 is green', mention: 'alice' }),
    })
    expect(res.status).toBe(201)
    const sealing = new Handoff({
      apiUrl: team.relay.url,
      apiKey: team.relayKey,
      encryptionKey: { epochs: a.node.identity.epochs },
    })
    await sealing.post('ops', 'sealed from the sdk')

    for (const n of [a, b]) {
      await eventually(async () => {
        const msgs = await read(n.api, 'ops')
        expect(msgs.map((m) => m.content)).toEqual(
          expect.arrayContaining(['build 42 is green', 'sealed from the sdk']),
        )
      })
    }
    // give a second import (by the other bridge) every chance to happen, then count
    await new Promise((r) => setTimeout(r, 3_000))
    for (const n of [a, b]) {
      const msgs = await read(n.api, 'ops')
      expect(msgs.filter((m) => m.content === 'build 42 is green')).toHaveLength(1)
      expect(msgs.filter((m) => m.content === 'sealed from the sdk')).toHaveLength(1)
      expect(msgs.filter((m) => m.content === 'deploy at 5')).toHaveLength(1)
      expect(msgs.find((m) => m.content === 'build 42 is green')).toMatchObject({
        sender: 'ci-bot',
        mention: 'alice',
      })
    }
    const imported = team.nodes.map((n) => n.node.bridge?.status().messages?.imported ?? 0)
    expect(imported[0]! + imported[1]!).toBe(2)
    // imports are not mirrored back: the relay channel holds each HTTP message once
    const relayMsgs = (await sealing.read('ops')).messages.map((m) => m.content)
    expect(relayMsgs.filter((c) => c === 'build 42 is green')).toHaveLength(1)
    expect(relayMsgs.filter((c) => c === 'sealed from the sdk')).toHaveLength(1)
  })
  it('threads cross the boundary both ways', async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    const client = new Handoff({
      apiUrl: team.relay.url,
      apiKey: team.relayKey,
      encryptionKey: { epochs: a.node.identity.epochs },
    })

    // an HTTP client asks; a node user answers in the thread; the client sees the answer there
    const question = await client.post('qa', 'which branch?')
    const onB = await eventually(async () => {
      const m = (await read(b.api, 'qa')).find((x) => x.content === 'which branch?')
      expect(m).toBeDefined()
      return m as Msg
    })
    await b.api.ok('POST', '/api/channels/qa/messages', { content: 'main', thread_id: onB.id })
    await eventually(async () => {
      const t = await client.thread('qa', question.id)
      expect(t.replies.map((r) => r.content)).toEqual(['main'])
    })

    // a node user asks; an HTTP client answers in the thread; node users see it in the thread
    const asked = await a.api.ok<Msg>('POST', '/api/channels/qa/messages', { content: 'who reviews?' })
    const mirrored = await eventually(async () => {
      const m = (await client.read('qa')).messages.find((x) => x.content === 'who reviews?')
      expect(m).toBeDefined()
      return m as { id: string }
    })
    await client.post('qa', 'carol does', { thread_id: mirrored.id })
    for (const n of [a, b]) {
      await eventually(async () => {
        const t = await n.api.ok<{ replies: Msg[] }>('GET', `/api/channels/qa/threads/${asked.id}`)
        expect(t.replies.map((r) => r.content)).toEqual(['carol does'])
      })
    }
  })
  it("a node's status changes and message deletes reach the relay too", async () => {
    const [a] = team.nodes as [TestNode]
    const client = new Handoff({
      apiUrl: team.relay.url,
      apiKey: team.relayKey,
      encryptionKey: { epochs: a.node.identity.epochs },
    })
    await a.api.ok('PUT', '/api/channels/ops/status', { key: 'build', value: 'green' })
    await eventually(async () => {
      const [status] = await client.getStatus({ channel: 'ops', key: 'build' })
      expect(status).toMatchObject({ key: 'build', value: 'green', encrypted: true })
    })
    await a.api.ok('DELETE', '/api/channels/ops/status/build')
    await eventually(async () => expect(await client.getStatus({ channel: 'ops', key: 'build' })).toEqual([]))

    const doomed = await a.api.ok<Msg>('POST', '/api/channels/ops/messages', {
      content: 'oops, wrong channel',
    })
    await eventually(async () =>
      expect((await client.read('ops')).messages.map((m) => m.content)).toContain('oops, wrong channel'),
    )
    await a.api.ok('DELETE', `/api/channels/ops/messages/${doomed.id}`)
    await eventually(async () =>
      expect((await client.read('ops')).messages.map((m) => m.content)).not.toContain('oops, wrong channel'),
    )
  })
  it("an HTTP client's status changes reach both node users, once, and stay as they were on the relay", async () => {
    const [a, b] = team.nodes as [TestNode, TestNode]
    const admin = new Handoff({ apiUrl: team.relay.url, apiKey: team.relayKey })
    const curl = new Handoff({
      apiUrl: team.relay.url,
      apiKey: (await admin.createKey('deployer', { '*': 'write' })).api_key,
    })
    await admin.createChannel('release') // a write key may not create channels
    await curl.setStatus('release', 'deploy', 'frozen')
    for (const n of [a, b]) {
      await eventually(async () => {
        const res = await n.api.call('GET', '/api/channels/release/status?key=deploy')
        expect(res.body).toEqual([
          expect.objectContaining({ key: 'deploy', value: 'frozen', updated_by: 'deployer' }),
        ])
      })
    }
    await admin.deleteStatus('release', 'deploy') // deleting a status takes admin
    for (const n of [a, b]) {
      await eventually(async () =>
        expect((await n.api.call('GET', '/api/channels/release/status')).body).toEqual([]),
      )
    }
    await new Promise((r) => setTimeout(r, 2_500)) // another bridge's import would land by now
    for (const n of [a, b]) {
      const changes = await n.api.ok<{ changes: Array<{ key: string }> }>(
        'GET',
        '/api/channels/release/status/changes',
      )
      expect(changes.changes.filter((c) => c.key === 'deploy')).toHaveLength(2) // one set, one delete
    }
    // imports are not mirrored back: the relay's history is the client's own two changes
    const relayChanges = await admin.getStatusChanges('release')
    expect(relayChanges.changes.map((c) => [c.value, c.changed_by])).toEqual([
      ['frozen', 'deployer'],
      ['', 'admin'],
    ])
  })
})
