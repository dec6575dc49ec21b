// Two and three nodes on a loopback testnet, joined through real invites: what one writes, the
// others read; status, acks, threads and deletes agree everywhere.
import { beforeAll, describe, expect, it } from 'vitest'
import { openStream, type SseStream } from '../../test/conformance/sse.js'
import { signatureChecks } from '../log/signature-checks.js'
import { type Api, eventually } from './helpers.js'
import { teamOnTestnet } from './team-fixture.js'

describe('three nodes replicate one team', () => {
  const team = teamOnTestnet(3)
  let a: Api
  let b: Api
  let c: Api

  beforeAll(() => {
    ;[a, b, c] = team.nodes.map((n) => n.api) as [Api, Api, Api]
  })

  it('joined nodes are writers of the same team', async () => {
    const teams = team.nodes.map((n) => n.node.teamId)
    expect(new Set(teams).size).toBe(1)
    for (const n of team.nodes) expect(n.node.log.writable).toBe(true)
  })

  it('a message posted on A is read on B and C', async () => {
    const posted = await a.ok('POST', '/api/channels/general/messages', {
      content: 'hello from A',
      mention: 'bob',
    })
    for (const api of [b, c]) {
      const page = await eventually(async () => {
        const p = await api.ok('GET', '/api/channels/general/messages')
        expect(p.messages.map((m: { id: string }) => m.id)).toContain(posted.id)
        return p
      })
      const m = page.messages.find((x: { id: string }) => x.id === posted.id)
      expect(m).toEqual(posted)
    }
  })

  it("a peer's envelopes are checked as their blocks arrive, before apply asks", async () => {
    // the nodes of this file share the process's checks: A's and C's apply take B's answers
    const before = signatureChecks().answeredEarly
    const posts = Array.from({ length: 40 }, (_, i) =>
      b.ok('POST', '/api/channels/early/messages', { content: `e${i}` }),
    )
    await Promise.all(posts)
    for (const api of [a, c]) {
      await eventually(async () =>
        expect((await api.ok('GET', '/api/channels/early/messages?limit=100')).messages).toHaveLength(40),
      )
    }
    expect(signatureChecks().answeredEarly - before).toBeGreaterThanOrEqual(40)
  })

  it('status, acks, threads and deletes agree on all three', async () => {
    const parent = await b.ok('POST', '/api/channels/work/messages', { content: 'parent' })
    await eventually(async () =>
      expect((await c.call('GET', `/api/channels/work/threads/${parent.id}`)).status).toBe(200),
    )
    const reply = await c.ok('POST', '/api/channels/work/messages', {
      content: 'reply',
      thread_id: parent.id,
    })
    await a.ok('PUT', '/api/channels/work/status', { key: 'build', value: 'green' })
    await c.ok('POST', '/api/channels/work/ack', { last_read_id: parent.id })
    const doomed = await a.ok('POST', '/api/channels/work/messages', { content: 'doomed' })
    await a.ok('DELETE', `/api/channels/work/messages/${doomed.id}`)

    const snapshot = async (api: Api) => ({
      messages: (await api.ok('GET', '/api/channels/work/messages')).messages,
      thread: await api.ok('GET', `/api/channels/work/threads/${parent.id}`),
      status: await api.ok('GET', '/api/channels/work/status'),
      acks: await api.ok('GET', '/api/channels/work/acks'),
      changes: await api.ok('GET', '/api/channels/work/status/changes'),
    })
    const expected = await eventually(async () => {
      const s = await snapshot(a)
      expect(s.thread.replies.map((r: { id: string }) => r.id)).toEqual([reply.id])
      expect(s.acks).toHaveLength(1)
      expect(s.messages.map((m: { id: string }) => m.id)).not.toContain(doomed.id)
      return s
    })
    expect(expected.status).toEqual([
      expect.objectContaining({ key: 'build', value: 'green', updated_by: 'alice' }),
    ])
    expect(expected.thread.parent.reply_count).toBe(1)
    expect(expected.acks[0]).toMatchObject({ sender: 'carol', last_read_id: parent.id })
    for (const api of [b, c]) {
      await eventually(async () => expect(await snapshot(api)).toEqual(expected))
    }
  })

  it("a stream on B and C carries A's writes live, each once, and resumes after its last id", async () => {
    const streams = await Promise.all(
      [b, c].map((api) =>
        openStream(`${api.url}/api/channels/live/stream`, {
          headers: { authorization: `Bearer ${api.key}` },
        }),
      ),
    )
    const first = await a.ok('POST', '/api/channels/live/messages', { content: 'one' })
    // a message deleted before a stream delivered it is not delivered (its content left the
    // view; the relay drops its event alike): the delete waits until both streams had it
    for (const stream of streams) {
      await stream.waitFor((e) => e.event === 'message' && e.json.id === first.id, 20_000)
    }
    await a.ok('PUT', '/api/channels/live/status', { key: 'phase', value: 'build' })
    await a.ok('DELETE', `/api/channels/live/messages/${first.id}`)
    for (const stream of streams) {
      await stream.waitFor((e) => e.event === 'status' && e.json.value === 'build', 20_000)
      await stream.waitFor(
        (e) => e.event === 'delete' && e.json.id === first.id && e.json.deleted_by === 'alice',
        20_000,
      )
    }
    const [onB] = streams as [SseStream]
    const lastId = onB.events[onB.events.length - 1]?.id as string
    for (const stream of streams) stream.close()
    const second = await a.ok('POST', '/api/channels/live/messages', { content: 'two' })
    const resumed = await openStream(`${b.url}/api/channels/live/stream`, {
      headers: { authorization: `Bearer ${b.key}`, 'last-event-id': lastId },
    })
    const got = await resumed.waitFor((e) => e.event === 'message' && e.json.id === second.id, 20_000)
    expect(resumed.events.filter((e) => e.event !== 'ready' && e.event !== 'open')[0]?.id).toBe(got.id)
    resumed.close()
  })

  it('with writers on two nodes at once, every stream gets every message exactly once', {
    timeout: 120_000,
  }, async () => {
    const streams = await Promise.all(
      [a, b, c].map((api) =>
        openStream(`${api.url}/api/channels/race/stream`, {
          headers: { authorization: `Bearer ${api.key}` },
        }),
      ),
    )
    const posts: Array<Promise<{ id: string }>> = []
    for (let i = 0; i < 20; i++) {
      posts.push(a.ok('POST', '/api/channels/race/messages', { content: `a${i}` }))
      posts.push(b.ok('POST', '/api/channels/race/messages', { content: `b${i}` }))
    }
    const ids = new Set((await Promise.all(posts)).map((m) => m.id))
    for (const stream of streams) {
      await eventually(async () => {
        const seen = stream.of('message').map((e) => e.json.id as string)
        expect(new Set(seen)).toEqual(ids)
        expect(seen).toHaveLength(ids.size)
      }, 40_000)
      stream.close()
    }
  })

  it('the node status reports peers and log lengths', async () => {
    const status = await a.ok('GET', '/api/node/status')
    expect(status.writable).toBe(true)
    expect(status.peers).toBeGreaterThanOrEqual(1)
    expect(status.log.length).toBeGreaterThan(0)
  })
})
