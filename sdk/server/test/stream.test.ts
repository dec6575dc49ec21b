// The SSE stream over a real socket: wire format, event types, resume without gap or duplicate,
// heartbeat, per-key limit, revocation / permission loss, and shutdown.
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { call, startApi, type TestApi, unique } from './helpers.js'
import { eventsOf, openSse, type SseConnection } from './sse-client.js'

let api: TestApi | undefined
const conns: SseConnection[] = []
afterEach(async () => {
  for (const c of conns.splice(0)) c.close()
  await api?.close()
  api = undefined
})

async function start(sse: { heartbeatMs?: number; maxPerKey?: number } = {}) {
  api = await startApi({ sse: { heartbeatMs: 60_000, ...sse } })
  await api.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = api.app.server.address() as AddressInfo
  return { a: api, base: `http://127.0.0.1:${port}` }
}

async function open(url: string, headers: Record<string, string> = {}) {
  const conn = await openSse(url, headers)
  conns.push(conn)
  return conn
}

const post = (a: TestApi, channel: string, body: unknown, key = a.key) =>
  call(a.app, { method: 'POST', url: `/api/channels/${channel}/messages`, key, body })

describe('stream', () => {
  it('sends the seed wire format, then message, delete, status and ack events, each with an id', async () => {
    const { a, base } = await start()
    const ch = unique('live')
    const conn = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    expect(conn.status).toBe(200)
    expect(conn.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(conn.headers['cache-control']).toBe('no-cache, no-transform')
    await conn.waitFor((c) => c.raw().includes(':ok\n\n'), 5000, 'padding')
    expect(conn.raw().startsWith(`:${'_'.repeat(8192)}\n:ok\n\n`)).toBe(true)

    const msg = (await post(a, ch, { content: 'hello' })).json
    await call(a.app, {
      method: 'PUT',
      url: `/api/channels/${ch}/status`,
      key: a.key,
      body: { key: 'k', value: 'v' },
    })
    await call(a.app, {
      method: 'POST',
      url: `/api/channels/${ch}/ack`,
      key: a.key,
      body: { last_read_id: msg.id },
    })
    await call(a.app, { method: 'DELETE', url: `/api/channels/${ch}/messages/${msg.id}`, key: a.key })
    await conn.waitFor((c) => c.frames.length >= 4, 5000, 'four events')

    expect(conn.frames.map((f) => f.event)).toEqual(['message', 'status', 'ack', 'delete'])
    for (const f of conn.frames) expect(f.id).toMatch(/^\d+-\d+$/)
    const [message] = eventsOf(conn, 'message')
    expect(message?.id).toBe(msg.id)
    expect(message?.data).toEqual(msg)
    expect(eventsOf(conn, 'status')[0]?.data).toMatchObject({
      channel: ch,
      key: 'k',
      value: 'v',
      changed_by: 'alice',
    })
    expect(eventsOf(conn, 'ack')[0]?.data).toMatchObject({
      channel: ch,
      sender: 'alice',
      last_read_id: msg.id,
    })
    expect(eventsOf(conn, 'delete')[0]?.data).toMatchObject({ id: msg.id, channel: ch, deleted_by: 'alice' })
    // the raw frame is `id:`, `event:`, one `data:` line, as the seed's SDK parses it
    expect(conn.raw()).toContain(`id: ${msg.id}\nevent: message\ndata: ${JSON.stringify(msg)}\n\n`)
  })

  it('resumes after Last-Event-ID or ?last_event_id= with no gap and no duplicate', async () => {
    const { a, base } = await start()
    const ch = unique('resume')
    const ids: string[] = []
    for (const content of ['a', 'b', 'c']) ids.push((await post(a, ch, { content })).json.id)

    const byHeader = await open(`${base}/api/channels/${ch}/stream`, {
      authorization: `Bearer ${a.key}`,
      'last-event-id': ids[0] as string,
    })
    await byHeader.waitFor((c) => c.frames.length >= 2, 5000, 'replay')
    const byQuery = await open(`${base}/api/channels/${ch}/stream?token=${a.key}&last_event_id=${ids[1]}`)
    await byQuery.waitFor((c) => c.frames.length >= 1, 5000, 'replay')
    ids.push((await post(a, ch, { content: 'd' })).json.id)
    await byHeader.waitFor((c) => c.frames.length >= 3, 5000, 'live')
    await byQuery.waitFor((c) => c.frames.length >= 2, 5000, 'live')
    expect(byHeader.frames.map((f) => f.id)).toEqual(ids.slice(1))
    expect(byQuery.frames.map((f) => f.id)).toEqual(ids.slice(2))

    // a fresh stream starts at "now": nothing replayed
    const fresh = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    await fresh.waitFor((c) => c.raw().includes(':ok'), 5000, 'open')
    const next = (await post(a, ch, { content: 'e' })).json.id
    await fresh.waitFor((c) => c.frames.length >= 1, 5000, 'live')
    expect(fresh.frames.map((f) => f.id)).toEqual([next])
  })

  it('refuses bad requests with JSON before streaming', async () => {
    const { a, base } = await start({ maxPerKey: 2 })
    const ch = unique('limits')
    const bad = await open(`${base}/api/channels/${ch}/stream?token=${a.key}&last_event_id=nope`)
    expect(bad.status).toBe(400)
    await bad.ended
    expect(JSON.parse(bad.raw())).toMatchObject({ code: 'INVALID_CURSOR' })
    const badHeader = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`, { 'last-event-id': 'x' })
    expect(badHeader.status).toBe(400)
    const noKey = await open(`${base}/api/channels/${ch}/stream`)
    expect(noKey.status).toBe(401)
    // a HEAD must not open a subscription
    const head = await a.app.inject({ method: 'HEAD', url: `/api/channels/${ch}/stream?token=${a.key}` })
    expect(head.statusCode).toBe(404)

    await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    const second = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    const third = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    expect(third.status).toBe(429)
    expect(third.headers['retry-after']).toBe('5')
    await third.ended
    expect(JSON.parse(third.raw())).toMatchObject({ code: 'SSE_LIMIT_REACHED' })

    // a closed stream frees its slot
    second.close()
    const slot = Date.now()
    let again = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    while (again.status === 429 && Date.now() - slot < 5000) {
      await new Promise((r) => setTimeout(r, 50))
      again = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    }
    expect(again.status).toBe(200)
  })

  it('sends a heartbeat comment', async () => {
    const { a, base } = await start({ heartbeatMs: 50 })
    const conn = await open(`${base}/api/channels/${unique('hb')}/stream?token=${a.key}`)
    await conn.waitFor((c) => c.comments.filter((x) => x === 'keepalive').length >= 2, 5000, 'heartbeats')
  })

  it('ends the stream at once when the key is revoked or loses read access', async () => {
    const { a, base } = await start()
    const ch = unique('rev')
    const mk = async (sender: string) => {
      const res = await call(a.app, {
        method: 'POST',
        url: '/api/keys',
        key: a.key,
        body: { sender_name: sender, permissions: { [ch]: 'read' } },
      })
      const keys = await call(a.app, { url: '/api/keys', key: a.key })
      const id = keys.json.find((k: { sender: string }) => k.sender === sender).key as string
      return { secret: res.json.api_key as string, id }
    }
    const revoked = await mk('revoked')
    const demoted = await mk('demoted')
    const c1 = await open(`${base}/api/channels/${ch}/stream?token=${revoked.secret}`)
    const c2 = await open(`${base}/api/channels/${ch}/stream?token=${demoted.secret}`)
    await c1.waitFor((c) => c.raw().includes(':ok'), 5000, 'open')
    await c2.waitFor((c) => c.raw().includes(':ok'), 5000, 'open')

    expect((await call(a.app, { method: 'DELETE', url: `/api/keys/${revoked.id}`, key: a.key })).status).toBe(
      204,
    )
    await c1.ended
    expect(eventsOf(c1, 'error')[0]?.data).toMatchObject({ code: 'INVALID_API_KEY' })

    await call(a.app, {
      method: 'PUT',
      url: `/api/keys/${demoted.id}/permissions`,
      key: a.key,
      body: { permissions: { other: 'read' } },
    })
    await c2.ended
    expect(eventsOf(c2, 'error')[0]?.data).toMatchObject({ code: 'FORBIDDEN' })
  })

  it('ends every stream with a shutdown event when the server closes', async () => {
    const { a, base } = await start()
    const ch = unique('bye')
    const conn = await open(`${base}/api/channels/${ch}/stream?token=${a.key}`)
    const msg = (await post(a, ch, { content: 'last' })).json
    await conn.waitFor((c) => c.frames.length >= 1, 5000, 'message')
    await a.app.close()
    await conn.ended
    const last = conn.frames.at(-1)
    expect(last).toMatchObject({ event: 'shutdown', id: msg.id })
  })
})
