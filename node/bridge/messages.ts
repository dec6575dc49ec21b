// Messages across the boundary between node users and HTTP-only clients of the relay.
//
// Node -> relay: a node Message envelope the relay's sync log takes for the first time (push
// result `duplicate: false`, which exactly one bridge ever sees) is also posted to the relay's
// ordinary channel route as an `hf1:` content string. An SDK client holding the team's epoch
// keys (`encryptionKey: {epochs}`) opens it; the relay sees ciphertext only. Status changes go
// the same way (`hf1:` values), and deletes of messages whose relay copy is known.
//
// Relay -> node: messages HTTP clients post on the relay (plain text, `e2ee:` or `hf1:` sealed
// with a key this node holds) are imported into the team log as Message envelopes authored and
// signed by the bridging node, carrying {content, sender, relay: <relay message id>}. Several
// bridging nodes import each relay message once: before importing, a bridge pushes a *claim*,
// an envelope every bridge of the team builds byte for byte the same from (channel, relay id)
// (keys derived from the team key, deterministic nonce, Ed25519's deterministic signature) into
// a sync space nobody pulls; the relay stores one first arrival, and only its pusher imports.
import { ApiError } from '../../sdk/api/errors.js'
import type { SyncPushResult } from '../../sdk/api/sync.js'
import type { Message } from '../../sdk/api/types.js'
import type { RelaySync } from '../../sdk/client/relay-sync.js'
import {
  decodeEnvelope,
  type Envelope,
  type EnvelopeHeader,
  encodeContentString,
  OpType,
  parseEnvelope,
} from '../../sdk/protocol/index.js'
import type { NodeKeys } from '../keyring.js'
import { apiIdOf, sealContent, senderTagOf } from '../log/ops.js'
import type { NodeStore } from '../store.js'
import { memberKey } from '../view/keys.js'
import type { MemberRecord } from '../view/records.js'
import { AckGateway } from './acks.js'
import { Claims, tooOld } from './claims.js'
import { DeleteImporter } from './deletes.js'
import type { RelayCaller } from './http.js'
import { bodyOf, envelopeIn, verified } from './open.js'
import type { OutboxItem } from './outbox.js'
import { RelayWhoami } from './relay-identity.js'
import type { BridgeCursors } from './state.js'
import { StatusImporter } from './statuses.js'

/** how old an Ack or Delete another bridge pushed may be for an admin's bridge to repeat it */
const UNCLAIMED_MAX_AGE_MS = 10 * 60 * 1000

/** A recent Ack or Delete: what an admin's bridge repeats when another bridge pushed it first. */
export function repeatsUnclaimed(header: EnvelopeHeader | null): boolean {
  if (!header || (header.type !== OpType.Ack && header.type !== OpType.Delete)) return false
  return Date.now() - header.time <= UNCLAIMED_MAX_AGE_MS
}

/** The header of envelope bytes from this node's log, or null for bytes that are no envelope. */
function headerOf(bytes: Buffer): EnvelopeHeader | null {
  try {
    return parseEnvelope(bytes).header
  } catch {
    return null
  }
}

/** relay id <-> node id pairs kept for threads (the oldest are forgotten first) */
const IDS_MAX = 20_000

export interface GatewayStats {
  /** node messages posted to relay channels, and relay messages imported into the log (this run) */
  mirrored: number
  imported: number
  /** HTTP clients' status changes imported into the log (this run) */
  statuses_imported: number
  /** node acks repeated on the relay, HTTP clients' acks and deletes imported (this run) */
  acks_mirrored: number
  acks_imported: number
  deletes_imported: number
}

export class MessageGateway {
  private readonly counts = { mirrored: 0, imported: 0 }
  private readonly statuses: StatusImporter
  private readonly keys: NodeKeys
  /** per relay channel, the activity mark last read: unchanged channels are not re-read */
  private readonly seen = new Map<string, string>()
  private readonly claims: Claims
  private readonly acks: AckGateway
  private readonly deletes: DeleteImporter
  private readonly me: RelayWhoami
  /** a reader device's per-channel read position (it imports nothing, so cursors.imported stays) */
  private readonly learned: Record<string, string> = {}

  /** node message id -> relay message id (the inverse of cursors.ids, built on first use) */
  private relayIds: Map<string, string> | null = null

  constructor(
    private readonly store: NodeStore,
    private readonly relay: RelaySync,
    private readonly http: RelayCaller,
    private readonly cursors: () => BridgeCursors,
    /** the bridge's relay access: channel event streams are read with it */
    access: { url: string; key: string; signal: AbortSignal },
  ) {
    this.keys = store.keys
    this.claims = new Claims(this.keys.teamKey, relay)
    this.statuses = new StatusImporter(store, http, this.claims, cursors)
    this.me = new RelayWhoami(http)
    this.acks = new AckGateway(store, http, this.claims, cursors, (id) => this.relayIdOf(id), this.me)
    this.deletes = new DeleteImporter(store, access, this.claims, cursors, access.signal)
  }

  get stats(): GatewayStats {
    return {
      ...this.counts,
      statuses_imported: this.statuses.imported,
      acks_mirrored: this.acks.mirrored,
      acks_imported: this.acks.imported,
      deletes_imported: this.deletes.imported,
    }
  }

  /** The body of one of this team's content envelopes, or null when this node cannot open it. */
  private body(envelope: Envelope): Record<string, unknown> | null {
    return bodyOf(this.keys, envelope)
  }

  /** Record that relay message `relayId` and node message `nodeId` are one message. */
  private pair(relayId: string, nodeId: string): void {
    const ids = this.cursors().ids
    if (ids[relayId] === nodeId) return
    ids[relayId] = nodeId
    this.relayIds?.set(nodeId, relayId)
    const keys = Object.keys(ids)
    if (keys.length > IDS_MAX) {
      for (const k of keys.slice(0, keys.length - IDS_MAX)) delete ids[k]
      this.relayIds = null
    }
  }

  private relayIdOf(nodeId: string): string | null {
    if (!this.relayIds) {
      this.relayIds = new Map()
      for (const [relayId, id] of Object.entries(this.cursors().ids)) this.relayIds.set(id, relayId)
    }
    return this.relayIds.get(nodeId) ?? null
  }

  /** A node envelope the bridge read from the relay: another bridge's import teaches a pair. */
  observe(envelope: Envelope): void {
    if (envelope.header.type !== OpType.Message) return
    const body = this.body(envelope)
    if (body && typeof body.relay === 'string') this.pair(body.relay, apiIdOf(envelope))
  }

  /**
   * After a push: first arrivals of node messages, message deletes and status changes are
   * repeated on the relay's channel routes. One failing item is reported and skipped.
   */
  async mirror(items: OutboxItem[], results: SyncPushResult[], warn: (err: unknown) => void): Promise<void> {
    for (let i = 0; i < items.length; i++) {
      const bytes = (items[i] as OutboxItem).bytes
      const first = results[i]?.duplicate === false
      // most pushes are duplicates: judged by the header alone, without decoding (and hashing) them
      if (!first && !repeatsUnclaimed(headerOf(bytes))) continue
      const envelope = decodeEnvelope(bytes)
      if (envelope.header.team.toString('hex') !== this.store.teamId) continue
      if (first) await this.mirrorOne(envelope).catch(warn)
      else await this.mirrorUnclaimed(envelope).catch(warn)
    }
  }

  /**
   * An Ack or Delete that another bridge pushed first, or that this one pulled: a member's bridge
   * may have pushed it without the right to repeat it on the relay (another sender's ack, a relay
   * copy another key posted), so an admin's bridge repeats it unless it is claimed already. Only
   * recent ones: this covers bridges racing now, not a fresh bridge pulling the whole history.
   */
  async mirrorUnclaimed(envelope: Envelope): Promise<void> {
    if (!repeatsUnclaimed(envelope.header)) return
    if (!(await this.me.get()).admin) return
    await this.mirrorOne(envelope)
  }

  private async mirrorOne(envelope: Envelope): Promise<void> {
    const h = envelope.header
    const ch = h.channel
    const gone = (err: unknown) => {
      if ((err as { status?: number }).status !== 404) throw err // already gone there: fine
    }
    switch (h.type) {
      case OpType.Message:
        return this.mirrorMessage(envelope)
      case OpType.Delete: {
        // the relay copy of the message (a mirror, or the HTTP original of an import)
        const relayId = this.relayIdOf(h.ref)
        if (!relayId) return
        const remove = () => this.http.call('DELETE', `/api/channels/${ch}/messages/${relayId}`)
        if ((await this.me.get()).admin) {
          // claimed like an import of it would be (deletes.ts): the relay's record of this delete
          // never comes back; a lost claim means it came from the relay in the first place
          if (await this.claims.claim(ch, `delete/${relayId}`)) await remove().catch(gone)
          return
        }
        // a member's key deletes only relay copies it posted: it tries first and claims only what
        // is gone (a refused one stays unclaimed, for an admin's bridge: mirrorUnclaimed)
        const removed = await remove().then(
          () => true,
          (err) => {
            const status = (err as { status?: number }).status
            if (status === 403) return false
            if (status === 404) return true
            throw err
          },
        )
        if (removed) await this.claims.claim(ch, `delete/${relayId}`)
        return
      }
      case OpType.Ack:
        return this.acks.mirror(envelope)
      case OpType.StatusSet:
        if (this.imported(envelope)) return // an HTTP client's own change, back from the log
        // the SDK opens an hf1: status value whose envelope is a StatusSet of this channel and key
        await this.http.call('PUT', `/api/channels/${ch}/status`, {
          key: h.ref,
          value: encodeContentString(envelope),
        })
        return
      case OpType.StatusDelete:
        if (this.imported(envelope)) return
        await this.http.call('DELETE', `/api/channels/${ch}/status/${encodeURIComponent(h.ref)}`).catch(gone)
        return
      default:
        return // channels and membership stay on the node side
    }
  }

  /** True for an envelope a bridge made from a relay record (its body names the record). */
  private imported(envelope: Envelope): boolean {
    const body = this.body(envelope)
    return !body || typeof body.relay === 'string'
  }

  private async mirrorMessage(envelope: Envelope): Promise<void> {
    const body = this.body(envelope)
    // an import of a relay message goes back as nothing: HTTP clients have the original
    if (!body || typeof body.relay === 'string') return
    const h = envelope.header
    const post = (thread: string | null) =>
      this.http.call<Message>('POST', `/api/channels/${h.channel}/messages`, {
        content: encodeContentString(envelope),
        ...(h.mention ? { mention: h.mention } : {}),
        ...(thread ? { thread_id: thread } : {}),
      })
    // a reply stays a reply when its parent's relay id is known; otherwise it goes top-level
    const parent = h.thread_id ? this.relayIdOf(h.thread_id) : null
    const posted = await post(parent).catch((err) => {
      if (parent && (err as { code?: string }).code === 'THREAD_PARENT_NOT_FOUND') return post(null)
      throw err
    })
    this.pair(posted.id, apiIdOf(envelope))
    this.counts.mirrored++
  }

  /** Import what HTTP clients posted on the relay since the per-channel cursors; true if any. */
  async importNew(
    cursors: BridgeCursors,
    save: () => Promise<void>,
    warn: (err: unknown) => void,
  ): Promise<void> {
    if (!this.store.log.writable) return // imports are this device's writes
    const me = (await this.store.log.view.get(memberKey(this.keys.author)))?.value as MemberRecord | undefined
    if (!me || me.removed) return
    // a reader device may not author messages or statuses: it claims nothing it cannot import and
    // only learns which relay messages are copies of node messages (what its own acks point at)
    const reader = me.role === 'reader'
    const channels = await this.http.call<
      Array<{ name: string; last_activity?: unknown; message_count?: unknown }>
    >('GET', '/api/channels')
    // a status delete does not touch a channel's last_activity: the current statuses (one request
    // for all channels) complete the mark of what changed since the last poll
    const current = await this.http.call<Array<{ channel: string; key: string; updated_at: string }>>(
      'GET',
      '/api/status',
    )
    const sig = new Map<string, string>()
    for (const st of current) sig.set(st.channel, `${sig.get(st.channel) ?? ''}|${st.key}@${st.updated_at}`)
    for (const { name, last_activity, message_count } of channels) {
      // an ack changes no activity mark: every channel's acks are read on every poll
      if (!reader) await this.acks.importChannel(name)
      const mark = `${String(last_activity)}/${String(message_count)}/${sig.get(name) ?? ''}`
      const waiting = this.deletes.hasPending(name)
      // a reader's marks and positions are its own: made a member later, it imports from the start
      const seenKey = reader ? `learned/${name}` : name
      const position = reader ? this.learned : cursors.imported
      if (this.seen.get(seenKey) === mark && last_activity !== undefined && !waiting) continue
      for (;;) {
        const after = position[name] ?? '0'
        const page = await this.http.call<{ messages: Message[]; has_more: boolean }>(
          'GET',
          `/api/channels/${name}/messages?after_id=${encodeURIComponent(after)}&limit=100`,
        )
        for (const m of page.messages) {
          if (!this.learn(m) && !reader) await this.importOne(m)
          position[name] = m.id
        }
        if (page.messages.length > 0 && !reader) await save()
        if (!page.has_more || page.messages.length === 0) break
      }
      if (!reader) {
        await this.statuses.importChannel(name, save)
        await this.deletes.importChannel(name, save, me.role === 'admin')
      }
      this.seen.set(seenKey, mark)
    }
    await this.acks.retryWaiting(warn) // the poll may have taught the relay copies they waited for
  }

  /** A relay message that is a bridge's mirror of a node envelope: learn the pair, true. */
  private learn(m: Message): boolean {
    const inner = envelopeIn(m.content)
    // the sync log carries the envelope already
    if (inner?.header.team.toString('hex') !== this.store.teamId) return false
    // the first copy stays the pair: anyone with a write key could post another copy of it
    const nodeId = apiIdOf(inner)
    if (this.relayIdOf(nodeId) === null) this.pair(m.id, nodeId)
    return true
  }

  private async importOne(m: Message): Promise<void> {
    if (tooOld(m.created_at)) return
    let content = m.content
    const inner = envelopeIn(m.content)
    if (inner) {
      // an SDK client sealed it with a key this node holds (an epoch keyring): import the text
      const body = inner.header.type === OpType.Message && verified(inner) ? this.body(inner) : null
      if (body && typeof body.content === 'string') content = body.content
    }
    if (!(await this.claims.claim(m.channel, m.id))) return
    const seal = (thread: string | null) =>
      sealContent(this.keys, {
        type: OpType.Message,
        channel: m.channel,
        mention: m.mention,
        thread_id: thread,
        ref: senderTagOf(this.keys.teamKey, m.sender),
        body: { content, sender: m.sender, relay: m.id },
      })
    const parent = m.thread_id ? (this.cursors().ids[m.thread_id] ?? null) : null
    let envelope = seal(parent)
    try {
      await this.store.appendEnvelope(envelope)
    } catch (err) {
      // the parent is not in this node's view (yet): keep the message, as a top-level one
      if (!parent || !(err instanceof ApiError) || err.code !== 'THREAD_PARENT_NOT_FOUND') throw err
      envelope = seal(null)
      await this.store.appendEnvelope(envelope)
    }
    this.pair(m.id, apiIdOf(envelope))
    this.counts.imported++
  }
}
