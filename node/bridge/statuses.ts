// Status changes HTTP clients make on the relay, into the team log (relay -> node; the other way
// is MessageGateway.mirror). Each change of a channel's change feed (`GET .../status/changes`,
// sets and deletes in order, by cursor) becomes a StatusSet / StatusDelete envelope authored by
// the bridging node, body {key, value, by: <relay changed_by>, relay: <change id>}, claimed first
// so several bridges import it once. Changes that are a bridge's own mirrors (an `hf1:` value of
// this team) are skipped; a value an SDK client sealed with the team's epoch keys is opened.
import { ApiError } from '../../sdk/api/errors.js'
import type { StatusChange } from '../../sdk/api/types.js'
import { OpType } from '../../sdk/protocol/index.js'
import { sealContent } from '../log/ops.js'
import type { NodeStore } from '../store.js'
import { type Claims, tooOld } from './claims.js'
import type { RelayCaller } from './http.js'
import { bodyOf, envelopeIn, verified } from './open.js'
import type { BridgeCursors } from './state.js'

export class StatusImporter {
  imported = 0

  constructor(
    private readonly store: NodeStore,
    private readonly http: RelayCaller,
    private readonly claims: Claims,
    private readonly cursors: () => BridgeCursors,
  ) {}

  /** Import the channel's status changes past its cursor. */
  async importChannel(channel: string, save: () => Promise<void>): Promise<void> {
    const cursors = this.cursors()
    for (;;) {
      const after = cursors.statuses[channel] ?? '0'
      const page = await this.http.call<{ changes: StatusChange[]; has_more: boolean }>(
        'GET',
        `/api/channels/${channel}/status/changes?after_id=${encodeURIComponent(after)}&limit=100`,
      )
      for (const change of page.changes) {
        await this.importOne(channel, change)
        cursors.statuses[channel] = change.id
      }
      if (page.changes.length > 0) await save()
      if (!page.has_more || page.changes.length === 0) return
    }
  }

  private async importOne(channel: string, c: StatusChange): Promise<void> {
    if (tooOld(c.changed_at)) return
    let value = c.value
    const inner = envelopeIn(c.value)
    if (inner) {
      if (inner.header.team.toString('hex') === this.store.teamId) return // a bridge's mirror
      const body =
        inner.header.type === OpType.StatusSet && verified(inner) ? bodyOf(this.store.keys, inner) : null
      if (body && body.key === c.key && typeof body.value === 'string') value = body.value
    }
    // last writer wins by time: a node change newer than this relay change stands (this also
    // makes the relay's record of a bridge's mirrored delete a no-op here)
    const [now] = await this.store.getStatus(this.store.teamId, channel, c.key).catch(() => [])
    if (c.deleted && !now) return
    if (now && Date.parse(now.updated_at) >= Date.parse(c.changed_at)) return
    if (!(await this.claims.claim(channel, `status/${c.id}`))) return
    const by = c.changed_by ?? ''
    const envelope = sealContent(this.store.keys, {
      type: c.deleted ? OpType.StatusDelete : OpType.StatusSet,
      channel,
      ref: c.key,
      body: c.deleted ? { key: c.key, by, relay: c.id } : { key: c.key, value, by, relay: c.id },
    })
    try {
      await this.store.appendEnvelope(envelope)
    } catch (err) {
      // deleting a key the node never had: nothing to do
      if (!(err instanceof ApiError) || err.code !== 'STATUS_NOT_FOUND') throw err
    }
    this.imported++
  }
}
