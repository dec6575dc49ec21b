// Message deletes HTTP-only clients make on the relay, into the team log (the other way is
// MessageGateway.mirror). A deleted relay message leaves no record in the channel, only a
// `delete` event in the channel's event stream: the bridge reads the stream's replay past its
// per-channel cursor (events.ts) whenever a channel changed. A delete of a relay message whose
// node counterpart is known and still there becomes a Delete envelope authored by the bridging
// node, body {by: <deleted_by>}; apply lets only an author or an admin delete, so a bridge
// imports only deletes it may make: any as an admin device, its own device's messages otherwise.
// Both ways claim `delete/<relay message id>` first: each delete crosses once, never back.
import type { NodeStore } from '../store.js'
import type { Claims } from './claims.js'
import { readChannelEvents } from './events.js'
import type { BridgeCursors } from './state.js'

/** a delete whose node message has not arrived yet is retried this long */
const PENDING_MS = 5 * 60 * 1000

interface Pending {
  relayId: string
  by: string
  until: number
}

export class DeleteImporter {
  imported = 0
  /** per channel, deletes read before their node message arrived (the pull may lag the poll) */
  private readonly pending = new Map<string, Pending[]>()

  constructor(
    private readonly store: NodeStore,
    private readonly relay: { url: string; key: string },
    private readonly claims: Claims,
    private readonly cursors: () => BridgeCursors,
    private readonly signal: AbortSignal,
  ) {}

  /** deletes of this channel wait for their node message: read it again even if unchanged */
  hasPending(channel: string): boolean {
    return this.pending.has(channel)
  }

  /** `admin`: this device may delete any message (else only those it wrote) */
  async importChannel(channel: string, save: () => Promise<void>, admin: boolean): Promise<void> {
    const waiting = this.pending.get(channel) ?? []
    this.pending.delete(channel)
    for (const p of waiting) if (Date.now() < p.until) await this.importOne(channel, p, admin)
    const cursors = this.cursors()
    for (;;) {
      const after = cursors.events[channel] ?? '0'
      const events = await readChannelEvents(
        this.relay.url,
        this.relay.key,
        channel,
        after,
        this.signal,
      ).catch((err) => {
        if ((err as { status?: number }).status === 404) return [] // the channel went meanwhile
        throw err
      })
      for (const e of events) {
        if (e.type === 'delete' && typeof e.data.id === 'string') {
          const by = typeof e.data.deleted_by === 'string' ? e.data.deleted_by : ''
          await this.importOne(channel, { relayId: e.data.id, by, until: Date.now() + PENDING_MS }, admin)
        }
        cursors.events[channel] = e.id
      }
      if (events.length > 0) await save()
      if (events.length < 500) return
    }
  }

  private async importOne(channel: string, p: Pending, admin: boolean): Promise<void> {
    const nodeId = this.cursors().ids[p.relayId]
    if (!nodeId) return // never crossed: nothing on the node side
    const ch = await this.store.reader.channel(channel)
    const seq = ch ? await this.store.reader.get<number>(ch.space.messageId(nodeId)) : null
    const record = ch && seq !== null ? await this.store.reader.messageAt(ch.space, seq) : null
    if (!record) {
      // paired (its relay copy was read) but its envelope not pulled yet: try again next poll
      this.pending.set(channel, [...(this.pending.get(channel) ?? []), p])
      return
    }
    if (record.deleted) return // gone already (a node delete mirrored to the relay, or another bridge)
    // apply lets the author or an admin delete: another bridge (an admin's, or the author's) will
    if (!admin && record.author !== this.store.keys.author) return
    if (!(await this.claims.claim(channel, `delete/${p.relayId}`))) return
    await this.store.deleteMessage(this.store.teamId, channel, nodeId, p.by, { asAdmin: true })
    this.imported++
  }
}
