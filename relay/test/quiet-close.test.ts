// A relay's close does not wait on a connection no request was sent on (relay/quiet-close.ts):
// Node waits for it forever, and a client that aborted a fetch between connect and write may
// keep such a socket in its pool.
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startRelay, stopRelay } from './relays.js'

describe('relay close', () => {
  it('ends a connection that carries no request instead of waiting on it', async () => {
    const relay = await startRelay()
    const silent = connect(relay.port, '127.0.0.1')
    await new Promise((resolve) => silent.once('connect', resolve))
    const ended = new Promise((resolve) => silent.once('close', resolve))
    const started = Date.now()
    await stopRelay(relay)
    await ended
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
