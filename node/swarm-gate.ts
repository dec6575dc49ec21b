// The swarm firewall. Meeting on the team topic proves nothing (a removed member still knows the
// team key), so a connection replicates the team's cores only once its remote proved it holds the
// device key of a current member: each side signs the connection's Noise handshake hash (bound to
// its own swarm key, so a proof cannot be reflected back) on a protomux channel. Until then, and
// for ever for a removed device, no replication stream is attached; other protocols on the same
// mux (an invite's pairing) still work. A connection whose device is removed later is closed at
// once, and its swarm key is refused from then on.
import c from 'compact-encoding'
import type { SwarmConnection } from 'hyperswarm'
import type { Protomux } from 'protomux'
import sodium from 'sodium-native'
import type { SigningKeyPair } from '../sdk/protocol/index.js'
import type { TeamLog } from './log/team-log.js'
import { memberKey } from './view/keys.js'
import type { MemberRecord } from './view/records.js'

export const MEMBER_PROTOCOL = 'handoff/member/v1'
const LABEL = Buffer.from('handoff/v1/member-proof\0')

/** What the team's view says of a device: a current member, removed, or not (yet) known. */
export type Standing = 'member' | 'removed' | 'unknown'

export interface GateOptions {
  /** this node's device key: what it proves itself with */
  device: SigningKeyPair
  /** the standing of a device (hex public key) in this node's view */
  standing(device: string): Promise<Standing>
  /** the remote proved a current member: attach replication (called once per connection) */
  admit(conn: SwarmConnection): void
  /** the remote's device is removed: its swarm key is refused from now on */
  refuse(swarmKey: Buffer): void
}

interface Peer {
  conn: SwarmConnection
  device: string | null
  admitted: boolean
}

function proofMessage(conn: SwarmConnection, signerSwarmKey: Buffer): Buffer {
  const hash = (conn as SwarmConnection & { handshakeHash: Buffer }).handshakeHash
  return Buffer.concat([LABEL, hash, signerSwarmKey])
}

export class SwarmGate {
  private readonly peers = new Map<SwarmConnection, Peer>()
  private checking: Promise<void> | null = null
  private again = false

  constructor(private readonly options: GateOptions) {}

  /** Prove ourselves on a new connection and wait for the remote's proof. */
  attach(conn: SwarmConnection, mux: Protomux): void {
    const peer: Peer = { conn, device: null, admitted: false }
    this.peers.set(conn, peer)
    conn.once('close', () => this.peers.delete(conn))
    const { publicKey, secretKey } = this.options.device
    const channel = mux.createChannel({
      protocol: MEMBER_PROTOCOL,
      onopen: () => {
        const signature = Buffer.alloc(sodium.crypto_sign_BYTES)
        sodium.crypto_sign_detached(signature, proofMessage(conn, conn.publicKey), secretKey)
        proof.send(Buffer.concat([publicKey, signature]))
      },
    })
    if (!channel) return // only one such channel per connection
    const proof = channel.addMessage({
      encoding: c.fixed(96),
      onmessage: (bytes: never) => this.onProof(peer, bytes as Buffer),
    })
    channel.open()
  }

  private onProof(peer: Peer, bytes: Buffer): void {
    if (peer.device !== null || bytes.length !== 96) return
    const device = bytes.subarray(0, 32)
    const signature = bytes.subarray(32)
    const message = proofMessage(peer.conn, peer.conn.remotePublicKey)
    // a bad proof, or our own device (a reflected proof): nothing a member would send
    if (
      !sodium.crypto_sign_verify_detached(signature, message, device) ||
      device.equals(this.options.device.publicKey)
    ) {
      peer.conn.destroy()
      return
    }
    peer.device = device.toString('hex')
    this.judge(peer).catch(() => {})
  }

  private async judge(peer: Peer): Promise<void> {
    if (peer.device === null || peer.conn.destroyed) return
    const standing = await this.options.standing(peer.device)
    if (peer.conn.destroyed) return
    if (standing === 'removed') {
      this.options.refuse(peer.conn.remotePublicKey)
      peer.conn.destroy()
    } else if (standing === 'member' && !peer.admitted) {
      peer.admitted = true
      this.options.admit(peer.conn)
    }
    // 'unknown': a member this node has not heard of yet (it joined through another peer);
    // judged again on the next view update
  }

  /** The view changed: admit members learnt since, close connections of members removed since. */
  recheck(): Promise<void> {
    if (this.checking) {
      this.again = true
      return this.checking
    }
    this.checking = (async () => {
      do {
        this.again = false
        for (const peer of [...this.peers.values()]) await this.judge(peer).catch(() => {})
      } while (this.again)
    })().finally(() => {
      this.checking = null
    })
    return this.checking
  }

  /** Connections whose remote proved a current member. */
  get admitted(): number {
    let n = 0
    for (const peer of this.peers.values()) if (peer.admitted && !peer.conn.destroyed) n++
    return n
  }
}

/** A device's standing as the team log's view has it now. */
export async function standingIn(log: TeamLog, device: string): Promise<Standing> {
  const record = (await log.view.get(memberKey(device)))?.value as MemberRecord | undefined
  return !record ? 'unknown' : record.removed ? 'removed' : 'member'
}
