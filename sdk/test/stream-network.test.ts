// Network failures the servers cannot be made to produce on demand: a peer that accepts the
// stream and then falls silent without closing the connection (a dead host, a stuck proxy).
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Handoff } from '../index.js'
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
