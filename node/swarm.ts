// The team swarm: hyperswarm on one topic per team (a keyed hash of the team key, so the topic
// says nothing to whoever lacks the key), replicating the node's corestore with every peer that
// proves it is a current member device (swarm-gate.ts). Other protocols (pairing) ride the same
// connections through `onConnection` listeners, gated or not.
import DHT from 'hyperdht'
import Hyperswarm, { type PeerDiscovery, type SwarmConnection } from 'hyperswarm'
import ProtomuxStatic, { type Protomux } from 'protomux'
import { type SigningKeyPair, teamTopic } from '../sdk/protocol/index.js'
import { type Standing, SwarmGate } from './swarm-gate.js'

export type Bootstrap = Array<{ host: string; port: number }>

export interface SwarmOptions {
  teamKey: Buffer
  /** replicate the node's stores over a new connection; returns the replication stream */
  replicate(conn: SwarmConnection): unknown
  /** a private DHT (tests: hyperdht/testnet on loopback); default the public DHT */
  bootstrap?: Bootstrap
  /** 32 bytes: a stable swarm key pair, so peers that met us can find us again directly */
  seed?: Buffer
  /** swarm public keys of team peers met before: dialled directly, without a DHT lookup */
  knownPeers?: Buffer[]
  /** this device's key pair: proves to peers that we are a member */
  device: SigningKeyPair
  /** a device's standing in the team's view: only current members' connections replicate */
  standing(device: string): Promise<Standing>
  /** told of every member peer met, to remember it */
  onPeer?(publicKey: Buffer): void
  /** told of a peer whose device was removed, to forget it */
  onRefused?(publicKey: Buffer): void
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

/**
 * A DHT node. One whose bootstrap is all loopback binds loopback too: bound to every interface
 * it announces an address its loopback peers cannot reach back (seen under gVisor). It is also
 * not firewalled (nothing stands between two loopback sockets): hyperdht then answers a
 * handshake with its address and both sides dial directly. Left firewalled, every connection is
 * a holepunch whose probe rounds are relayed through the DHT nodes; when those live in a busy
 * process (a test's or bench's testnet), the rounds time out and hyperswarm backs off for
 * seconds to minutes (hyperdht skips its LAN shortcut for 127.0.0.1, a reserved address).
 */
export function createDht(bootstrap: Bootstrap | undefined): DHT {
  const loopback = bootstrap?.length && bootstrap.every((b) => LOOPBACK.has(b.host))
  if (loopback) return new DHT({ bootstrap, host: '127.0.0.1', firewalled: false })
  return new DHT(bootstrap ? { bootstrap } : {})
}

/** How long a new connection may stay silent before it is dropped and dialled again. */
const SILENT_MS = 5000

/**
 * Both sides prove their device first on every connection (swarm-gate.ts), so a connection that brings no byte at all soon
 * after it opened is half-open (seen on loaded hosts: one side saw it, the other did not for
 * ~14 s). Dropping it lets hyperswarm dial again at once.
 */
function watchSilence(conn: SwarmConnection): void {
  const c = conn as SwarmConnection & { rawBytesRead?: number }
  const before = c.rawBytesRead ?? 0
  const timer = setTimeout(() => {
    if ((c.rawBytesRead ?? 0) === before) conn.destroy()
  }, SILENT_MS)
  timer.unref()
  conn.once('close', () => clearTimeout(timer))
}

export class TeamSwarm {
  readonly swarm: Hyperswarm
  readonly topic: Buffer
  readonly gate: SwarmGate
  private readonly listeners = new Set<(conn: SwarmConnection, mux: Protomux) => void>()
  private readonly muxes = new Map<SwarmConnection, Protomux>()
  private readonly extraTopics = new Map<string, PeerDiscovery>()
  /** swarm keys of removed devices (hex): refused at the handshake from now on */
  private readonly refused = new Set<string>()
  private refresher: NodeJS.Timeout | null = null

  constructor(options: SwarmOptions) {
    this.topic = teamTopic(options.teamKey)
    const dht = createDht(options.bootstrap)
    const firewall = (key: Buffer) => this.refused.has(key.toString('hex'))
    this.swarm = new Hyperswarm(options.seed ? { dht, seed: options.seed, firewall } : { dht, firewall })
    this.gate = new SwarmGate({
      device: options.device,
      standing: options.standing,
      admit: (conn) => {
        options.replicate(conn)
        options.onPeer?.(conn.remotePublicKey) // a proven member: dialled directly after a restart
      },
      refuse: (key) => {
        this.refused.add(key.toString('hex'))
        this.swarm.leavePeer(key)
        options.onRefused?.(key)
      },
    })
    // Explicit peers are dialled and re-dialled by hyperswarm itself: after a restart, or when a
    // DHT lookup raced the other side's announce, the team still finds its members.
    for (const key of options.knownPeers ?? []) this.swarm.joinPeer(key)
    this.swarm.on('connection', (conn: SwarmConnection) => {
      conn.on('error', () => {}) // a peer going away is routine
      watchSilence(conn)
      // one mux per connection, made before replication (which then reuses it): the member
      // proof, pairing and (once admitted) the cores all share it
      const mux = ProtomuxStatic.from(conn)
      conn.setKeepAlive(5000) // what replication sets on a mux it makes itself
      this.muxes.set(conn, mux)
      conn.once('close', () => this.muxes.delete(conn))
      this.gate.attach(conn, mux)
      for (const listener of this.listeners) listener(conn, mux)
    })
  }

  onConnection(listener: (conn: SwarmConnection, mux: Protomux) => void): () => void {
    this.listeners.add(listener)
    for (const [conn, mux] of this.muxes) listener(conn, mux)
    return () => this.listeners.delete(listener)
  }

  /** Also meet peers on another topic (a pending invite's). */
  async joinTopic(topic: Buffer): Promise<void> {
    const hex = topic.toString('hex')
    if (this.extraTopics.has(hex)) return
    const discovery = this.swarm.join(topic, { server: true, client: true })
    this.extraTopics.set(hex, discovery)
    await discovery.flushed()
  }

  async leaveTopic(topic: Buffer): Promise<void> {
    const hex = topic.toString('hex')
    if (!this.extraTopics.delete(hex)) return
    await this.swarm.leave(topic).catch(() => {})
  }

  get publicKey(): Buffer {
    return this.swarm.keyPair.publicKey
  }

  /** Dial this peer now and keep it connected. */
  addPeer(publicKey: Buffer): void {
    this.swarm.joinPeer(publicKey)
  }

  /** Connections to proven current members (what replicates). */
  get peers(): number {
    return this.gate.admitted
  }

  /** The team's view changed: admit members learnt since, drop members removed since. */
  recheck(): Promise<void> {
    return this.gate.recheck()
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
