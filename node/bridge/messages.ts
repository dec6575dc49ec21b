// Messages across the boundary between node users and HTTP-only clients of the relay.
//
// Node -> relay: a node Message envelope the relay's sync log takes for the first time (push
// result `duplicate: false`, which exactly one bridge ever sees) is also posted to the relay's
// ordinary channel route as an `hf1:` content string. An SDK client holding the team's epoch
// keys (`encryptionKey: {epochs}`) opens it; the relay sees ciphertext only.
//
// Relay -> node: messages HTTP clients post on the relay (plain text, `e2ee:` or `hf1:` sealed
// with a key this node holds) are imported into the team log as Message envelopes authored and
// signed by the bridging node, carrying {content, sender, relay: <relay message id>}. Several
// bridging nodes import each relay message once: before importing, a bridge pushes a *claim*,
// an envelope every bridge of the team builds byte for byte the same from (channel, relay id)
// (keys derived from the team key, deterministic nonce, Ed25519's deterministic signature) into
// a sync space nobody pulls; the relay stores one first arrival, and only its pusher imports.
import sodium from 'sodium-native'
import type { SyncPushResult } from '../../sdk/api/sync.js'
import type { Message } from '../../sdk/api/types.js'
import type { RelaySync } from '../../sdk/client/relay-sync.js'
import {
  decodeBody,
  decodeContentString,
  decodeEnvelope,
  type Envelope,
  encodeContentString,
  OpType,
  openEnvelope,
  sealEnvelope,
  signingKeyPairFromSeed,
  verifyEnvelope,
} from '../../sdk/protocol/index.js'
import type { NodeKeys } from '../keyring.js'
import { sealContent, senderTagOf } from '../log/ops.js'
import type { NodeStore } from '../store.js'
import type { OutboxItem } from './outbox.js'
import type { BridgeCursors } from './state.js'

function keyedHash(key: Uint8Array, label: string, input = ''): Buffer {
  const out = Buffer.alloc(32)
  sodium.crypto_generichash_batch(out, [Buffer.from(label), Buffer.from([0]), Buffer.from(input)], key)
  return out
}

interface Http {
  call<T>(method: string, path: string, body?: unknown): Promise<T>
}

export interface GatewayStats {
  /** node messages posted to relay channels, and relay messages imported into the log (this run) */
  mirrored: number
  imported: number
}

export class MessageGateway {
  readonly stats: GatewayStats = { mirrored: 0, imported: 0 }
  private readonly keys: NodeKeys
  /** per relay channel, the activity mark last read: unchanged channels are not re-read */
  private readonly seen = new Map<string, string>()
  private readonly claim: { key: Buffer; space: Buffer; signer: ReturnType<typeof signingKeyPairFromSeed> }

  constructor(
    private readonly store: NodeStore,
    private readonly relay: RelaySync,
    private readonly http: Http,
  ) {
    this.keys = store.keys
    const teamKey = this.keys.teamKey
    this.claim = {
      key: keyedHash(teamKey, 'handoff/v1/relay-claim-key'),
      space: keyedHash(teamKey, 'handoff/v1/relay-claim-space'),
      signer: signingKeyPairFromSeed(keyedHash(teamKey, 'handoff/v1/relay-claim-signer')),
    }
  }

  /** The body of one of this team's content envelopes, or null when this node cannot open it. */
  private body(envelope: Envelope): Record<string, unknown> | null {
    const key = this.keys.epochKey(envelope.header.epoch)
    if (!key) return null
    try {
      return decodeBody<Record<string, unknown>>(openEnvelope(envelope, key))
    } catch {
      return null
    }
  }

  /** After a push: post first arrivals of node messages to the relay's channels. */
  async mirror(items: OutboxItem[], results: SyncPushResult[]): Promise<void> {
    for (let i = 0; i < items.length; i++) {
      if (results[i]?.duplicate !== false) continue
      const envelope = decodeEnvelope((items[i] as OutboxItem).bytes)
      if (
        envelope.header.type !== OpType.Message ||
        envelope.header.team.toString('hex') !== this.store.teamId
      )
        continue
      const body = this.body(envelope)
      // an import of a relay message goes back as nothing: HTTP clients have the original
      if (!body || typeof body.relay === 'string') continue
      await this.http.call('POST', `/api/channels/${envelope.header.channel}/messages`, {
        content: encodeContentString(envelope),
        ...(envelope.header.mention ? { mention: envelope.header.mention } : {}),
      })
      this.stats.mirrored++
    }
  }

  /** Import what HTTP clients posted on the relay since the per-channel cursors; true if any. */
  async importNew(cursors: BridgeCursors, save: () => Promise<void>): Promise<void> {
    if (!this.store.log.writable) return // imports are this device's writes
    const channels = await this.http.call<
      Array<{ name: string; last_activity?: unknown; message_count?: unknown }>
    >('GET', '/api/channels')
    for (const { name, last_activity, message_count } of channels) {
      const mark = `${String(last_activity)}/${String(message_count)}`
      if (this.seen.get(name) === mark && last_activity !== undefined) continue
      for (;;) {
        const after = cursors.imported[name] ?? '0'
        const page = await this.http.call<{ messages: Message[]; has_more: boolean }>(
          'GET',
          `/api/channels/${name}/messages?after_id=${encodeURIComponent(after)}&limit=100`,
        )
        for (const m of page.messages) {
          await this.importOne(m)
          cursors.imported[name] = m.id
        }
        if (page.messages.length > 0) await save()
        if (!page.has_more || page.messages.length === 0) break
      }
      this.seen.set(name, mark)
    }
  }

  private async importOne(m: Message): Promise<void> {
    let content = m.content
    const inner = safeDecode(m.content)
    if (inner) {
      // a node envelope a bridge mirrored: the sync log carries it already
      if (inner.header.team.toString('hex') === this.store.teamId) return
      // an SDK client sealed it with a key this node holds (an epoch keyring): import the text
      const body = inner.header.type === OpType.Message && verified(inner) ? this.body(inner) : null
      if (body && typeof body.content === 'string') content = body.content
    }
    if (!(await this.claimed(m.channel, m.id))) return
    const envelope = sealContent(this.keys, {
      type: OpType.Message,
      channel: m.channel,
      mention: m.mention,
      ref: senderTagOf(this.keys.teamKey, m.sender),
      body: { content, sender: m.sender, relay: m.id },
    })
    await this.store.appendEnvelope(envelope)
    this.stats.imported++
  }

  /** True when this bridge is the first to claim the relay message (see the top of the file). */
  private async claimed(channel: string, relayId: string): Promise<boolean> {
    const what = `${channel}\n${relayId}`
    const envelope = sealEnvelope(
      {
        type: OpType.Message,
        team: this.claim.space,
        channel,
        epoch: 0,
        time: 0,
        ref: relayId,
        body: Buffer.from(what),
        nonce: keyedHash(this.claim.key, 'handoff/v1/relay-claim-nonce', what).subarray(0, 24),
      },
      { epochKey: this.claim.key, signer: this.claim.signer },
    )
    const [result] = await this.relay.push([envelope.bytes])
    return result?.duplicate === false
  }
}

function safeDecode(content: string): Envelope | null {
  try {
    return decodeContentString(content)
  } catch {
    return null
  }
}

function verified(envelope: Envelope): boolean {
  try {
    verifyEnvelope(envelope)
    return true
  } catch {
    return false
  }
}
