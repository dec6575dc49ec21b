// Several relay instances on one Redis: events, revocations and resumption cross instances.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeAllStreams, openStream } from '../../test/conformance/sse.js'
import { compareIds } from '../store/ids.js'
import { sleep } from './helpers.js'
import { call, type RunningRelay, signup, startRelay, stopAllRelays, stopRelay } from './relays.js'

let a: RunningRelay
let b: RunningRelay

beforeAll(async () => {
  a = await startRelay()
  b = await startRelay()
})
afterEach(() => closeAllStreams())
afterAll(stopAllRelays)

describe('two relays on one Redis', () => {
  it('a message posted through one reaches an SSE client of the other', async () => {
    const key = await signup(a.url)
    const stream = await openStream(`${b.url}/api/channels/fanout/stream?token=${key}`)
    expect(stream.status).toBe(200)
    await sleep(100)
    const posted = await call(a.url, 'POST', '/api/channels/fanout/messages', key, { content: 'across' })
    expect(posted.status).toBe(201)
    const got = await stream.waitFor((e) => e.event === 'message')
    expect(got.id).toBe(posted.body.id)
    expect(got.json).toEqual(posted.body)
    // delete, status and ack events travel the same way
    await call(a.url, 'PUT', '/api/channels/fanout/status', key, { key: 'build', value: 'green' })
    await call(a.url, 'POST', '/api/channels/fanout/ack', key, { last_read_id: posted.body.id })
    await call(a.url, 'DELETE', `/api/channels/fanout/messages/${posted.body.id}`, key)
    const del = await stream.waitFor((e) => e.event === 'delete')
    expect(del.json).toMatchObject({ id: posted.body.id, channel: 'fanout', deleted_by: 'admin' })
    expect(stream.events.map((e) => e.event)).toEqual(['message', 'status', 'ack', 'delete'])
    const ids = stream.events.map((e) => e.id!)
    expect([...ids].sort(compareIds)).toEqual(ids)
  })

  it('a key revoked through one is refused by the other at once, and its open stream ends', async () => {
    const admin = await signup(a.url)
    const created = await call(a.url, 'POST', '/api/keys', admin, { sender_name: 'temp' })
    const temp = created.body.api_key as string
    expect((await call(b.url, 'GET', '/api/channels', temp)).status).toBe(200)
    const stream = await openStream(`${b.url}/api/channels/rev/stream?token=${temp}`)
    expect(stream.status).toBe(200)
    await sleep(100)
    const revoked = await call(a.url, 'DELETE', `/api/keys/${created.body.key_id}`, admin)
    expect(revoked.status).toBe(204)
    const refused = await call(b.url, 'GET', '/api/channels', temp)
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('INVALID_API_KEY')
    await stream.waitFor((e) => e.event === 'error')
    await stream.waitForEnd()
  })

  it('a permission change through one applies on the other at once', async () => {
    const admin = await signup(a.url)
    const created = await call(a.url, 'POST', '/api/keys', admin, {
      sender_name: 'w',
      permissions: { perm: 'write' },
    })
    const w = created.body.api_key as string
    expect((await call(b.url, 'POST', '/api/channels/perm/messages', w, { content: 'ok' })).status).toBe(201)
    await call(a.url, 'PUT', `/api/keys/${created.body.key_id}/permissions`, admin, {
      permissions: { perm: 'read' },
    })
    const denied = await call(b.url, 'POST', '/api/channels/perm/messages', w, { content: 'no' })
    expect(denied.status).toBe(403)
  })

  it('wrong-team keys see nothing', async () => {
    const keyA = await signup(a.url, 'alpha')
    const keyB = await signup(b.url, 'beta')
    await call(a.url, 'POST', '/api/channels/private/messages', keyA, { content: 'alpha only' })
    await call(a.url, 'PUT', '/api/channels/private/status', keyA, { key: 'k', value: 'v' })
    const stream = await openStream(`${b.url}/api/channels/private/stream?token=${keyB}&last_event_id=0`)
    const read = await call(b.url, 'GET', '/api/channels/private/messages?after_id=0', keyB)
    expect(read.body.messages).toEqual([])
    expect((await call(b.url, 'GET', '/api/channels', keyB)).body).toEqual([])
    expect((await call(b.url, 'GET', '/api/status', keyB)).body).toEqual([])
    const keys = await call(b.url, 'GET', '/api/keys', keyB)
    expect(keys.body.map((k: { sender: string }) => k.sender)).toEqual(['admin'])
    await call(a.url, 'POST', '/api/channels/private/messages', keyA, { content: 'alpha again' })
    await sleep(300)
    expect(stream.events).toEqual([])
  })

  it('restarting a relay while a client streams loses nothing and repeats nothing (Last-Event-ID)', async () => {
    const key = await signup(a.url)
    const target = await startRelay()
    const port = target.port
    const first = await openStream(`${target.url}/api/channels/restart/stream?token=${key}`)
    expect(first.status).toBe(200)
    await sleep(100)
    const posted: string[] = []
    let posting = true
    const poster = (async () => {
      for (let i = 0; i < 80 && posting; i++) {
        const res = await call(b.url, 'POST', '/api/channels/restart/messages', key, { content: `m${i}` })
        posted.push(res.body.id)
        await sleep(5)
      }
    })()
    await first.waitForCount('message', 10)
    await stopRelay(target)
    const shutdown = await first.waitFor((e) => e.event === 'shutdown')
    const seen = first.of('message').map((e) => e.id!)
    expect(shutdown.id).toBe(seen[seen.length - 1])
    // the same port again, as a restarted process would
    const restarted = await startRelay(port)
    const second = await openStream(`${restarted.url}/api/channels/restart/stream?token=${key}`, {
      headers: { 'last-event-id': shutdown.id! },
    })
    expect(second.status).toBe(200)
    await poster
    posting = false
    await second.waitFor((e) => e.event === 'message' && e.id === posted[posted.length - 1], 10_000)
    const all = [...seen, ...second.of('message').map((e) => e.id!)]
    expect(all).toEqual(posted)
  })
})
