// The inviting side of pairing (see pairing.ts): pending invites live in the node's local state
// (so they survive a restart until used or expired), and the node waits for joiners on each
// pending invite's topic and, when bridged to a relay, in its relay pairing box too
// (bridge/pair-host.ts), where a joiner's answer also carries a relay key minted for it.
import { randomBytes } from 'node:crypto'
import type { Protomux } from 'protomux'
import { ApiError } from '../sdk/api/errors.js'
import { bridgedAccess, mintRelayKey, type RelayAccess } from './bridge/access.js'
import { RelayPairHost, type RelayPairHostOptions } from './bridge/pair-host.js'
import { revokeOnRemoval } from './bridge/revoke.js'
import type { Identity } from './data-dir.js'
import { memberAddEnvelope } from './identity.js'
import type { NodeKeys } from './keyring.js'
import type { LocalState, SealedBee } from './local-state.js'
import {
  encodeInviteCode,
  INVITE_TTL_MS,
  inviteIdOf,
  inviteTopic,
  openPairChannel,
  PAIR_PROTOCOL,
  type PairRequest,
  type PairResponse,
  requestProof,
  responseProof,
} from './pairing.js'
import type { NodeStore } from './store.js'
import type { TeamSwarm } from './swarm.js'
import type { Role } from './view/records.js'

interface InviteRecord {
  secret: string
  name: string
  role: Role
  expires_at: string
  /** the device key that used it, once used */
  member: string | null
  /** the relay key minted for that device (joined through the relay), so a retry gets the same */
  relay_key?: string | null
  /** its id on the relay, revoked (and then set to null) once the member is removed */
  relay_key_id?: string | null
}

/** The answer through a relay also gives the joiner a relay key (the pipe is sealed, pipe.ts). */
export type RelayPairResponse = PairResponse & { relay_key?: string }

const HEX32 = /^[0-9a-f]{64}$/

export class InviteHost {
  /** invite id hex -> record, for the pending and the used (to answer a retried request) */
  private readonly invites = new Map<string, InviteRecord>()
  /** the relay bridge's access, when the node is bridged: joiners may come through the relay */
  private relay: RelayAccess | null = null
  private relayHost: RelayPairHost | null = null

  constructor(
    private readonly local: LocalState,
    private readonly store: NodeStore,
    private readonly keys: NodeKeys,
    private readonly identity: Identity,
    private readonly swarm: TeamSwarm | null,
  ) {}

  private get bee() {
    return this.local.bee as unknown as SealedBee<InviteRecord>
  }

  async start(): Promise<void> {
    const bridged = bridgedAccess(this.store.log)
    if (bridged) {
      this.relay = { url: bridged.url, key: bridged.key }
      const base = this.store.log.base
      this.relayHost = new RelayPairHost({
        url: bridged.url,
        key: bridged.key,
        replicate: () => base.replicate(false) as ReturnType<RelayPairHostOptions['replicate']>,
        onPair: (mux, id) => this.onPair(mux, id, true),
        // the bridge's lifetime: closing the node closes the bridge and stops the box watches
        signal: bridged.signal,
      })
      revokeOnRemoval(
        this.store,
        this.relay,
        bridged.signal,
        () =>
          [...this.invites.values()].flatMap((r) =>
            r.member && r.relay_key_id ? [{ member: r.member, id: r.relay_key_id }] : [],
          ),
        async (revoked) => {
          for (const [id, r] of this.invites) {
            if (r.relay_key_id !== revoked.id) continue
            r.relay_key_id = null
            await this.bee.put(`i/${id}`, r)
          }
        },
      )
    }
    for await (const { key, value } of this.bee.range({ gt: 'i/', lt: 'i0' })) {
      const expiresAt = Date.parse(value.expires_at)
      // an expired invite still matters while the relay key minted with it is live
      if (expiresAt < Date.now() && !value.relay_key_id) continue
      this.invites.set(key.slice(2), value)
      if (expiresAt < Date.now() || value.member) continue // nobody left to wait for
      const secret = Buffer.from(value.secret, 'hex')
      this.swarm?.joinTopic(inviteTopic(secret)).catch(() => {})
      this.relayHost?.watch(secret, expiresAt)
    }
    this.swarm?.onConnection((_conn, mux) => {
      mux.pair({ protocol: PAIR_PROTOCOL }, (id) => this.onPair(mux, id))
    })
  }

  async create(name: string, role: Role): Promise<{ code: string; expires_at: string }> {
    if (!this.swarm && !this.relayHost)
      throw new ApiError('NOT_SUPPORTED', 'This node runs without a swarm or a relay: nobody could join')
    const secret = randomBytes(32)
    const record: InviteRecord = {
      secret: secret.toString('hex'),
      name,
      role,
      expires_at: new Date(Date.now() + INVITE_TTL_MS).toISOString(),
      member: null,
    }
    const id = inviteIdOf(secret).toString('hex')
    await this.bee.put(`i/${id}`, record)
    this.invites.set(id, record)
    this.relayHost?.watch(secret, Date.parse(record.expires_at))
    await this.swarm?.joinTopic(inviteTopic(secret))
    return { code: encodeInviteCode(secret), expires_at: record.expires_at }
  }

  /** Stops watching relay boxes (the node is closing). */
  close(): void {
    this.relayHost?.close()
  }

  private onPair(mux: Protomux, id: Buffer | null, viaRelay = false): void {
    const record = id ? this.invites.get(id.toString('hex')) : undefined
    if (!id || !record) return // not ours: protomux rejects the channel
    const pair = openPairChannel(mux, id, {
      onmessage: (message) => {
        this.answer(record, id, message as PairRequest, viaRelay)
          .then((response) => pair?.send(response))
          .catch((err: Error) => pair?.send({ ok: false, error: err.message } satisfies PairResponse))
      },
    })
  }

  private async answer(
    record: InviteRecord,
    id: Buffer,
    request: PairRequest,
    viaRelay: boolean,
  ): Promise<RelayPairResponse> {
    const secret = Buffer.from(record.secret, 'hex')
    if (
      !request ||
      typeof request.publicKey !== 'string' ||
      typeof request.writer !== 'string' ||
      !HEX32.test(request.publicKey) ||
      !HEX32.test(request.writer) ||
      request.proof !== requestProof(secret, request.publicKey, request.writer)
    ) {
      return { ok: false, error: 'bad pairing request' }
    }
    if (Date.parse(record.expires_at) < Date.now()) return { ok: false, error: 'this invite has expired' }
    if (record.member && record.member !== request.publicKey)
      return { ok: false, error: 'this invite was already used' }
    if (!record.member) {
      record.member = request.publicKey
      await this.store.serial(() =>
        this.store.appendEnvelope(
          memberAddEnvelope(this.keys, {
            publicKey: Buffer.from(request.publicKey, 'hex'),
            writer: Buffer.from(request.writer, 'hex'),
            role: record.role,
            name: record.name,
          }),
        ),
      )
      await this.bee.put(`i/${id.toString('hex')}`, record)
      this.swarm?.leaveTopic(inviteTopic(secret)).catch(() => {})
      this.relayHost?.retire(secret)
    }
    if (viaRelay && this.relay && !record.relay_key) {
      // without it the joiner needs a --relay-key of its own; the join itself still works
      const minted = await mintRelayKey(this.relay, record.name, record.role).catch(() => null)
      record.relay_key = minted?.key ?? null
      record.relay_key_id = minted?.id ?? null
      await this.bee.put(`i/${id.toString('hex')}`, record)
    }
    const { id: teamId, name, key, base, created_at } = this.identity.team
    const response: RelayPairResponse = {
      ok: true,
      team: { id: teamId, name, key, base, created_at },
      name: record.name,
      role: record.role,
    }
    if (this.swarm) response.peer = this.swarm.publicKey.toString('hex')
    response.proof = responseProof(secret, response)
    // outside the proof (it covers the swarm answer's fields); the sealed pipe protects it
    if (viaRelay && record.relay_key) response.relay_key = record.relay_key
    return response
  }
}
