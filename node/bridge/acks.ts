// Acks across the boundary between node users and HTTP-only clients of the relay.
//
// Node -> relay: a node Ack envelope the relay's sync log takes first (one bridge sees that) is
// repeated as POST /api/channels/{ch}/ack of the relay copy of the acked message. The relay
// records an ack under the requesting key's sender name, so the bridge acks with a relay key of
// the node sender's own name, minted once with its key and kept in relay-sync.json. Minting needs
// "*": admin; a bridge whose key lacks it (a member's, node/bridge/access.ts) repeats only the acks
// of its own key's sender, with that key, and leaves the others unclaimed: an admin's bridge
// repeats those when it pushes or pulls them (MessageGateway.mirrorUnclaimed).
// Relay -> node: every poll, each relay channel's acks (GET .../acks, one per sender) whose
// message has a node counterpart and is past the node's watermark for that sender are appended
// as Ack envelopes authored by the bridging node, body {sender, last_read_id, relay: "ack"}.
// Both ways claim `ack/<sender>/<relay message id>` first (claims.ts): each ack crosses once, and
// an ack that crossed one way is never sent back.
import type { Ack } from '../../sdk/api/types.js'
import type { Envelope } from '../../sdk/protocol/index.js'
import { OpType } from '../../sdk/protocol/index.js'
import { sealContent, senderTagOf } from '../log/ops.js'
import type { NodeStore } from '../store.js'
import { compareIds } from '../view/read.js'
import type { Claims } from './claims.js'
import type { RelayCaller } from './http.js'
import { bodyOf } from './open.js'
import type { RelayWhoami } from './relay-identity.js'
import type { BridgeCursors } from './state.js'

/** an ack whose message has no known relay copy is tried again after each poll this long */
const WAIT_MS = 2 * 60 * 1000

export class AckGateway {
  mirrored = 0
  imported = 0
  /** per channel and sender, the latest ack whose message had no known relay copy */
  private readonly waiting = new Map<string, { envelope: Envelope; until: number }>()
  /** per sender, a key being minted: two acks of a new sender at once make one key */
  private readonly minting = new Map<string, Promise<string | undefined | null>>()

  constructor(
    private readonly store: NodeStore,
    private readonly http: RelayCaller,
    private readonly claims: Claims,
    private readonly cursors: () => BridgeCursors,
    /** node message id -> relay message id, when the bridge knows the pair */
    private readonly relayIdOf: (nodeId: string) => string | null,
    private readonly me: RelayWhoami,
  ) {}

  /**
   * A node Ack: repeat it on the relay under the sender's name, unless claimed already. `until`:
   * set when it is tried again after a poll (retryWaiting), the end of its wait.
   */
  async mirror(envelope: Envelope, until?: number): Promise<void> {
    const body = bodyOf(this.store.keys, envelope)
    if (!body || typeof body.sender !== 'string' || typeof body.last_read_id !== 'string') return
    if (body.relay !== undefined) return // an HTTP client's ack, imported: it is on the relay already
    const channel = envelope.header.channel
    const sender = body.sender
    const slot = `${channel}/${sender}`
    // a retry superseded meanwhile by a later ack of the same reader: the watermark never goes back
    if (until !== undefined && this.waiting.has(slot)) return
    this.waiting.delete(slot)
    const relayId = this.relayIdOf(body.last_read_id)
    if (!relayId) {
      // no relay copy known (yet): the next channel poll may learn it (another bridge's mirror)
      const end = until ?? Date.now() + WAIT_MS
      if (Date.now() < end) this.waiting.set(slot, { envelope, until: end })
      return
    }
    // the key first: an ack this bridge cannot make is left unclaimed, for a bridge that can
    const key = await this.senderKey(sender)
    if (key === null) return
    if (!(await this.claims.claim(channel, `ack/${sender}/${relayId}`))) return
    const post = (as: string | undefined) =>
      this.http.call('POST', `/api/channels/${channel}/ack`, { last_read_id: relayId }, as)
    await post(key).catch(async (err) => {
      // that sender's key was revoked on the relay: make a new one, once
      if ((err as { status?: number }).status !== 401 || key === undefined) throw err
      delete this.cursors().senders[sender]
      const again = await this.senderKey(sender)
      if (again !== null) await post(again)
    })
    this.mirrored++
  }

  /** After a channel poll: the acks whose message's relay copy was not known when they came. */
  async retryWaiting(warn: (err: unknown) => void): Promise<void> {
    // taken out first: mirror() puts back what is still unknown, which must wait for the next poll
    const due = [...this.waiting]
    this.waiting.clear()
    for (const [, { envelope, until }] of due) await this.mirror(envelope, until).catch(warn)
  }

  /** The relay key to ack as `sender`: a minted one, undefined for the bridge's own, null: none. */
  private senderKey(sender: string): Promise<string | undefined | null> {
    const known = this.cursors().senders[sender]
    if (known) return Promise.resolve(known)
    let made = this.minting.get(sender)
    if (!made) {
      made = this.mint(sender).finally(() => this.minting.delete(sender))
      this.minting.set(sender, made)
    }
    return made
  }

  private async mint(sender: string): Promise<string | undefined | null> {
    const me = await this.me.get()
    // a member's key may not mint: it acks as its own sender only
    if (!me.admin) return sender === me.sender ? undefined : null
    const made = await this.http.call<{ api_key: string }>('POST', '/api/keys', {
      sender_name: sender,
      permissions: { '*': 'write' },
    })
    this.cursors().senders[sender] = made.api_key
    return made.api_key
  }

  /** HTTP clients' acks of one relay channel into the log (node watermarks never go back). */
  async importChannel(channel: string): Promise<void> {
    const acks = await this.http.call<Ack[]>('GET', `/api/channels/${channel}/acks`).catch((err) => {
      if ((err as { status?: number }).status === 404) return [] // the channel went meanwhile
      throw err
    })
    if (acks.length === 0) return
    const ids = this.cursors().ids
    const current = new Map((await this.store.listAcks(this.store.teamId, channel)).map((a) => [a.sender, a]))
    for (const a of acks) {
      const nodeId = ids[a.last_read_id]
      if (!nodeId) continue // a message with no node counterpart
      const now = current.get(a.sender)
      if (now && compareIds(now.last_read_id, nodeId) >= 0) continue
      if (!(await this.claims.claim(channel, `ack/${a.sender}/${a.last_read_id}`))) continue
      await this.store.appendEnvelope(
        sealContent(this.store.keys, {
          type: OpType.Ack,
          channel,
          ref: senderTagOf(this.store.keys.teamKey, a.sender),
          body: { sender: a.sender, last_read_id: nodeId, relay: 'ack' },
        }),
      )
      this.imported++
    }
  }
}
