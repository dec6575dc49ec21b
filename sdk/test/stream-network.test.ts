// Network failures the servers cannot be made to produce on demand: a peer that accepts the
// stream and then falls silent without closing the connection (a dead host, a stuck proxy).
import { createServer as createHttpServer } from 'node:http'
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../test/support/redis-server.js'
import { ConnectionError, Handoff } from '../index.js'
import { waitFor } from './support/wait.js'

describe('a stream whose server falls silent', () => {
  const sockets = new Set<Socket>()
  let connections = 0
  // Answers every request with the start of an event stream, then never writes again.
  const blackHole = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.once('data', () =>
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n:ok\n\n'),
    )
  })
  let url = ''

  beforeAll(async () => {
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve))
    const address = blackHole.address()
    if (!address || typeof address !== 'object') throw new Error('no address')
    url = `http://127.0.0.1:${address.port}`
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => blackHole.close(resolve))
  })

  it('is dropped after the idle timeout and reconnected', async () => {
    const client = new Handoff({ apiUrl: url, apiKey: 'k', retry: false })
    const errors: Error[] = []
    const sub = client.subscribe('quiet', {
      last_event_id: '5-0', // no baseline read: this peer only speaks SSE
      idleTimeoutMs: 200,
      reconnect: { minDelayMs: 20, maxDelayMs: 50 },
      onError: (e) => errors.push(e),
    })
    const ended = sub.connect()
    await sub.ready()
    await waitFor(() => connections >= 3, 'two reconnects', 5_000)
    expect(errors.some((e) => e.name === 'StreamIdleError')).toBe(true)
    sub.close()
    await ended
  })
})

describe('a stream whose server cannot be reached', () => {
  it('keeps retrying by default, and with reconnect: false ends with a ConnectionError', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const client = new Handoff({ apiUrl: url, apiKey: 'k' })
    const errors: Error[] = []
    const persistent = client.subscribe('ch', {
      last_event_id: '1-0',
      reconnect: { minDelayMs: 10, maxDelayMs: 20 },
    })
    persistent.on('error', (e) => errors.push(e))
    const ended = persistent.connect()
    await waitFor(() => errors.length >= 3, 'several failed attempts')
    expect(errors.every((e) => e instanceof ConnectionError)).toBe(true)
    persistent.close()
    await ended

    const once = client.subscribe('ch', { last_event_id: '1-0', reconnect: false })
    void once.connect()
    await expect(once.ready()).rejects.toBeInstanceOf(ConnectionError)
  })
})

describe('a stream whose server replays what the client already has', () => {
  it('delivers each event id once, across reconnects, and sends Last-Event-ID', async () => {
    // A proxy or an older server that ignores Last-Event-ID: every connection replays the whole
    // log (one event more each time), then hangs up.
    const lastEventIds: Array<string | undefined> = []
    let log = 2
    const replaying = createHttpServer((req, res) => {
      lastEventIds.push(req.headers['last-event-id'] as string | undefined)
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      log++
      for (let i = 1; i <= log; i++) {
        const message = { id: `${i}-0`, channel: 'ch', sender: 's', content: `m${i}` }
        res.write(`id: ${i}-0\nevent: message\ndata: ${JSON.stringify(message)}\n\n`)
      }
      res.end()
    })
    await new Promise<void>((resolve) => replaying.listen(0, '127.0.0.1', resolve))
    const address = replaying.address()
    if (!address || typeof address !== 'object') throw new Error('no address')
    try {
      const client = new Handoff({ apiUrl: `http://127.0.0.1:${address.port}`, apiKey: 'k' })
      const seen: string[] = []
      const sub = client.subscribe('ch', {
        last_event_id: '0',
        reconnect: { minDelayMs: 10, maxDelayMs: 20 },
      })
      sub.on('message', (m) => seen.push(m.content))
      const ended = sub.connect()
      await waitFor(() => lastEventIds.length >= 4, 'four connections')
      sub.close()
      await ended
      const expected = Array.from({ length: seen.length }, (_, i) => `m${i + 1}`)
      expect(seen).toEqual(expected) // each once, in order, none skipped
      expect(seen.length).toBeGreaterThanOrEqual(5)
      expect(lastEventIds.slice(0, 3)).toEqual(['0', '3-0', '4-0'])
    } finally {
      replaying.closeAllConnections()
      await new Promise((resolve) => replaying.close(resolve))
    }
  })
})
