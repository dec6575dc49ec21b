// The team swarm: hyperswarm on one topic per team (a keyed hash of the team key, so the topic
// says nothing to whoever lacks the key), replicating the node's corestore with every peer.
// Other protocols (pairing) ride the same connections through `onConnection` listeners.
import DHT from 'hyperdht'
import Hyperswarm, { type SwarmConnection } from 'hyperswarm'
import { teamTopic } from '../sdk/protocol/index.js'

export type Bootstrap = Array<{ host: string; port: number }>

export interface SwarmOptions {
  teamKey: Buffer
  /** replicate the node's stores over a new connection (autobase.replicate) */
  replicate(conn: SwarmConnection): void
  /** a private DHT (tests: hyperdht/testnet on loopback); default the public DHT */
  bootstrap?: Bootstrap
}

export function parseBootstrap(value: string | undefined): Bootstrap | undefined {
  if (!value) return undefined
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.lastIndexOf(':')
      const port = Number(s.slice(i + 1))
      if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new Error(`bad bootstrap address "${s}" (expected host:port)`)
      }
      return { host: s.slice(0, i), port }
    })
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

export class TeamSwarm {
  readonly swarm: Hyperswarm
  readonly topic: Buffer
  private readonly listeners = new Set<(conn: SwarmConnection) => void>()
  private refresher: NodeJS.Timeout | null = null

  constructor(options: SwarmOptions) {
    this.topic = teamTopic(options.teamKey)
    const bootstrap = options.bootstrap
    // A DHT whose bootstrap is all loopback binds loopback too: on hosts where a node bound to
    // every interface announces an address its loopback peers cannot reach back.
    const loopback = bootstrap?.length && bootstrap.every((b) => LOOPBACK.has(b.host))
    const dht = new DHT(loopback ? { bootstrap, host: '127.0.0.1' } : bootstrap ? { bootstrap } : {})
    this.swarm = new Hyperswarm({ dht })
    this.swarm.on('connection', (conn: SwarmConnection) => {
      conn.on('error', () => {}) // a peer going away is routine
      options.replicate(conn)
      for (const listener of this.listeners) listener(conn)
    })
  }

  onConnection(listener: (conn: SwarmConnection) => void): () => void {
    this.listeners.add(listener)
    for (const conn of this.swarm.connections) listener(conn)
    return () => this.listeners.delete(listener)
  }

  get peers(): number {
    return this.swarm.connections.size
  }

  async join(): Promise<void> {
    const discovery = this.swarm.join(this.topic, { server: true, client: true })
    await discovery.flushed()
    // Two peers that join at the same moment each look the topic up before the other announced;
    // look again soon, then now and then, so they find each other without waiting for the DHT's
    // own (slow) refresh.
    let delay = 1000
    const again = () => {
      this.refresher = setTimeout(() => {
        discovery
          .refresh({ client: true, server: false })
          .catch(() => {})
          .finally(() => {
            delay = Math.min(delay * 2, 60_000)
            if (this.refresher) again()
          })
      }, delay)
      this.refresher.unref()
    }
    again()
  }

  async close(): Promise<void> {
    if (this.refresher) clearTimeout(this.refresher)
    this.refresher = null
    await this.swarm.destroy()
  }
}
