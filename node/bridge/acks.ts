// Acks across the boundary between node users and HTTP-only clients of the relay.
//
// Node -> relay: a node Ack envelope the relay's sync log takes first (one bridge sees that) is
// repeated as POST /api/channels/{ch}/ack of the relay copy of the acked message. The relay
// records an ack under the requesting key's sender name, so the bridge acks with a relay key of
// the node sender's own name, minted once with its key (which needs "*": admin) and kept in
// relay-sync.json.
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
import type { BridgeCursors } from './state.js'

export class AckGateway {
  mirrored = 0
  imported = 0

  constructor(
    private readonly store: NodeStore,
    private readonly http: RelayCaller,
    private readonly claims: Claims,
    private readonly cursors: () => BridgeCursors,
    /** node message id -> relay message id, when the bridge knows the pair */
    private readonly relayIdOf: (nodeId: string) => string | null,
  ) {}

  /** A node Ack the sync log took first: repeat it on the relay under the sender's name. */
  async mirror(envelope: Envelope): Promise<void> {
    const body = bodyOf(this.store.keys, envelope)
    if (!body || typeof body.sender !== 'string' || typeof body.last_read_id !== 'string') return
    if (body.relay !== undefined) return // an HTTP client's ack, imported: it is on the relay already
    const relayId = this.relayIdOf(body.last_read_id)
    if (!relayId) return // that message has no relay copy: nothing a relay client could ack
    const channel = envelope.header.channel
    const sender = body.sender
    if (!(await this.claims.claim(channel, `ack/${sender}/${relayId}`))) return
    const post = async () =>
      this.http.call(
        'POST',
        `/api/channels/${channel}/ack`,
        { last_read_id: relayId },
        await this.senderKey(sender),
      )
    await post().catch((err) => {
      // that sender's key was revoked on the relay: make a new one, once
      if ((err as { status?: number }).status !== 401) throw err
      delete this.cursors().senders[sender]
      return post()
    })
    this.mirrored++
  }

  private async senderKey(sender: string): Promise<string> {
    const senders = this.cursors().senders
    const known = senders[sender]
    if (known) return known
    const made = await this.http.call<{ api_key: string }>('POST', '/api/keys', {
      sender_name: sender,
      permissions: { '*': 'write' },
    })
    senders[sender] = made.api_key
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
