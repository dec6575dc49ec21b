// The swarm firewall's proof (node/swarm-gate.ts) between two real hyperswarms on a loopback
// testnet: a member's proof admits, a removed device is refused, and neither a proof reflected
// back to its maker nor a signature from another key admits anything.
import c from 'compact-encoding'
import Hyperswarm, { type SwarmConnection } from 'hyperswarm'
import ProtomuxStatic, { type Protomux } from 'protomux'
import sodium from 'sodium-native'
import { afterEach, describe, expect, it } from 'vitest'
import { generateSigningKeyPair, randomBytes, type SigningKeyPair } from '../../sdk/protocol/index.js'
import { createDht } from '../swarm.js'
import { MEMBER_PROTOCOL, type Standing, SwarmGate } from '../swarm-gate.js'
import { startTestnet, type Testnet } from './helpers.js'

interface Side {
  swarm: Hyperswarm
  conn: Promise<{ conn: SwarmConnection; mux: Protomux }>
}

let testnet: Testnet | null = null
const swarms: Hyperswarm[] = []

afterEach(async () => {
  await Promise.all(swarms.splice(0).map((s) => s.destroy()))
  await testnet?.destroy()
  testnet = null
})

/** Two swarms connected to each other; each side's first connection with its mux. */
async function pair(): Promise<[Side, Side]> {
  testnet ??= await startTestnet()
  const bootstrap = testnet.bootstrap
  const make = (): Side => {
    const swarm = new Hyperswarm({ dht: createDht(bootstrap) })
    swarms.push(swarm)
    const conn = new Promise<{ conn: SwarmConnection; mux: Protomux }>((resolve) => {
      swarm.once('connection', (conn: SwarmConnection) => {
        conn.on('error', () => {})
        resolve({ conn, mux: ProtomuxStatic.from(conn) })
      })
    })
    return { swarm, conn }
  }
  const a = make()
  const b = make()
  const topic = randomBytes(32)
  await a.swarm.join(topic, { server: true, client: false }).flushed()
  await b.swarm.join(topic, { server: false, client: true }).flushed()
  return [a, b]
}

/** A gate whose view knows exactly `members` (current) and `removed`. */
function gate(device: SigningKeyPair, members: Buffer[], removed: Buffer[] = []) {
  const result = { admitted: 0, refused: 0 }
  const standing = async (hex: string): Promise<Standing> =>
    members.some((m) => m.toString('hex') === hex)
      ? 'member'
      : removed.some((m) => m.toString('hex') === hex)
        ? 'removed'
        : 'unknown'
  const g = new SwarmGate({
    device,
    standing,
    admit: () => result.admitted++,
    refuse: () => result.refused++,
  })
  return { g, result }
}

const closed = (conn: SwarmConnection) =>
  new Promise<boolean>((resolve) => {
    if (conn.destroyed) return resolve(true)
    const timer = setTimeout(() => resolve(false), 5000)
    conn.once('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })

describe('swarm gate', () => {
  it('admits a current member both ways and refuses a removed one', async () => {
    const [a, b] = await pair()
    const alice = generateSigningKeyPair()
    const bob = generateSigningKeyPair()
    const ga = gate(alice, [alice.publicKey, bob.publicKey])
    const gb = gate(bob, [alice.publicKey, bob.publicKey])
    const [ca, cb] = await Promise.all([a.conn, b.conn])
    ga.g.attach(ca.conn, ca.mux)
    gb.g.attach(cb.conn, cb.mux)
    await expect.poll(() => ga.result.admitted + gb.result.admitted, { timeout: 10_000 }).toBe(2)
    expect(ga.g.admitted).toBe(1)

    // bob is removed in alice's view: the next check closes the connection and refuses his key
    const again = gate(alice, [alice.publicKey], [bob.publicKey])
    const [a2, b2] = await pair()
    const [ca2, cb2] = await Promise.all([a2.conn, b2.conn])
    again.g.attach(ca2.conn, ca2.mux)
    gate(bob, [alice.publicKey, bob.publicKey]).g.attach(cb2.conn, cb2.mux)
    expect(await closed(ca2.conn)).toBe(true)
    expect(again.result).toEqual({ admitted: 0, refused: 1 })
  })

  it('a reflected proof or a signature from another key admits nothing', async () => {
    for (const attack of ['reflect', 'forge'] as const) {
      const [a, b] = await pair()
      const alice = generateSigningKeyPair()
      const bob = generateSigningKeyPair() // a member whose secret key the attacker lacks
      const ga = gate(alice, [alice.publicKey, bob.publicKey])
      const [ca, cb] = await Promise.all([a.conn, b.conn])
      // the attacker speaks the protocol by hand: it echoes alice's proof, or claims bob's
      // device with a signature of its own
      const channel = cb.mux.createChannel({ protocol: MEMBER_PROTOCOL })
      const message = channel?.addMessage({
        encoding: c.fixed(96),
        onmessage: (proof: never) => {
          const bytes = Buffer.from(proof as Buffer)
          if (attack === 'forge') {
            // claims bob's device: a well-formed proof for this very connection and the
            // attacker's swarm key, signed by a key that is not bob's
            bytes.set(bob.publicKey, 0)
            const signed = Buffer.concat([
              Buffer.from('handoff/v1/member-proof\0'),
              cb.conn.handshakeHash,
              cb.conn.publicKey,
            ])
            sodium.crypto_sign_detached(bytes.subarray(32), signed, generateSigningKeyPair().secretKey)
          }
          message?.send(bytes)
        },
      })
      channel?.open()
      ga.g.attach(ca.conn, ca.mux)
      expect(await closed(ca.conn), attack).toBe(true)
      expect(ga.result, attack).toEqual({ admitted: 0, refused: 0 })
      await Promise.all(swarms.splice(0).map((s) => s.destroy()))
    }
  })
})
