// The node's secrets in memory: device key pair, team key, control key and the epoch keys it
// holds. New epoch keys arrive sealed to this device (in its MemberAdd record or an EpochKey
// record of the view); `refresh` opens them and saves them to the key file.
import type Hyperbee from 'hyperbee'
import { openSealed, type SigningKeyPair } from '../sdk/protocol/index.js'
import { type Identity, writeIdentity } from './data-dir.js'
import { controlKeyOf, type Signer } from './log/ops.js'
import { epochKey, META, memberKey } from './view/keys.js'
import type { Keyring } from './view/read.js'
import type { EpochRecord, MemberRecord, MetaRecord, ViewValue } from './view/records.js'

export class NodeKeys implements Keyring, Signer {
  readonly teamId: Buffer
  readonly teamKey: Buffer
  readonly controlKey: Buffer
  readonly device: SigningKeyPair
  private readonly epochs = new Map<number, Buffer>()

  constructor(
    private identity: Identity,
    private readonly dir: string,
  ) {
    this.teamId = Buffer.from(identity.team.id, 'hex')
    this.teamKey = Buffer.from(identity.team.key, 'hex')
    this.controlKey = controlKeyOf(this.teamKey)
    this.device = {
      publicKey: Buffer.from(identity.device.publicKey, 'hex'),
      secretKey: Buffer.from(identity.device.secretKey, 'hex'),
    }
    for (const [epoch, key] of Object.entries(identity.epochs))
      this.epochs.set(Number(epoch), Buffer.from(key, 'hex'))
  }

  get author(): string {
    return this.identity.device.publicKey
  }

  epochKey(epoch: number): Buffer | null {
    return this.epochs.get(epoch) ?? null
  }

  /** The newest epoch this node holds: what it seals new operations with. */
  epoch(): { epoch: number; key: Buffer } {
    let best = -1
    for (const e of this.epochs.keys()) if (e > best) best = e
    const key = this.epochs.get(best)
    if (!key) throw new Error('this node holds no epoch key yet')
    return { epoch: best, key }
  }

  /** Open epoch keys sealed to this device that the view now holds; true when one was new. */
  async refresh(view: Hyperbee<ViewValue>): Promise<boolean> {
    const found = new Map<number, string>()
    const me = (await view.get(memberKey(this.author)))?.value as MemberRecord | undefined
    for (const [epoch, sealed] of Object.entries(me?.sealed ?? {})) found.set(Number(epoch), sealed)
    const meta = (await view.get(META))?.value as MetaRecord | undefined
    for (let e = 1; e <= (meta?.epoch ?? 0); e++) {
      if (this.epochs.has(e)) continue
      const record = (await view.get(epochKey(e)))?.value as EpochRecord | undefined
      const sealed = record?.sealed[this.author]
      if (sealed) found.set(e, sealed)
    }
    let changed = false
    for (const [epoch, sealed] of found) {
      if (this.epochs.has(epoch)) continue
      try {
        this.epochs.set(epoch, openSealed(Buffer.from(sealed, 'hex'), this.device))
        changed = true
      } catch {
        // sealed to another key pair: not ours to open
      }
    }
    if (changed) await this.save()
    return changed
  }

  private async save(): Promise<void> {
    const epochs: Record<string, string> = {}
    for (const [e, key] of this.epochs) epochs[String(e)] = key.toString('hex')
    this.identity = { ...this.identity, epochs }
    await writeIdentity(this.dir, this.identity)
  }

  /** Every epoch key, for sealing to a new member. */
  allEpochs(): Array<[number, Buffer]> {
    return [...this.epochs.entries()]
  }

  /** Add a fresh epoch key (this node starts the epoch) and save it. */
  async addEpoch(epoch: number, key: Buffer): Promise<void> {
    this.epochs.set(epoch, key)
    await this.save()
  }
}
