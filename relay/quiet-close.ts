// Graceful shutdown that does not wait on connections carrying no request. Node's server.close()
// closes the connections idle at that moment and stops its headers-timeout sweep, then waits for
// every other connection to end. A connection a client opened but never sent a request on (a
// fetch aborted between connect and write: a node bridge closing while it reconnects) is not
// "idle" to Node, and the client (undici) may keep it in its pool indefinitely, so the relay's
// close never finished (seen in the bridge tests as "stop relays did not settle"). Here, from the
// moment the app closes until the server has, connections with no request in flight are ended,
// again every 100 ms, so a keep-alive connection whose response ends during the close goes too;
// requests in flight still finish.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

const SWEEP_MS = 100

/** Tracks `server`'s connections; the returned function starts the sweeping (call it on close). */
export function quietCloser(server: Server): () => void {
  const inFlight = new Map<Socket, number>()
  server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0)
    socket.once('close', () => inFlight.delete(socket))
  })
  server.on('request', (req, res) => {
    const socket = req.socket
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1)
    res.once('close', () => {
      if (inFlight.has(socket)) inFlight.set(socket, Math.max(0, (inFlight.get(socket) ?? 1) - 1))
    })
  })
  return () => {
    const sweep = () => {
      for (const [socket, n] of inFlight) if (n === 0) socket.destroy()
    }
    sweep()
    const timer = setInterval(sweep, SWEEP_MS)
    timer.unref()
    server.once('close', () => clearInterval(timer))
  }
}
