// The client's end-to-end encryption seam. With a team secret, message text and status values
// are sealed into protocol envelopes ("hf1:..." content strings) before they leave the process
// and opened on read; the seed's "e2ee:" strings are still opened. A string that fails to open
// is reported, never thrown: one bad message must not make a whole page unreadable.
import {
  decodeBody,
  decodeContentString,
  encodeBody,
  encodeContentString,
  isEnvelopeContent,
  OpType,
  openEnvelope,
  sealEnvelope,
  verifyEnvelope,
} from '../protocol/index.js'
import { isLegacyContent, openLegacy } from './legacy-e2ee.js'
import { checkEncryptionKey, type EncryptionKey, resolveTeamKeys, type TeamKeys } from './team-keys.js'

/** Body of a sealed message envelope (a node adds `sender`, which readers here ignore). */
interface MessageBody {
  content: string
}
/** Body of a sealed status envelope; the key is also the header's `ref` (a node adds `by`). */
interface StatusBody {
  key: string
  value: string
}

export type OpenResult = { ok: true; text: string; encrypted: boolean } | { ok: false; error: string }

/** True for content another client encrypted (ours or the seed's format). */
export function isEncryptedContent(content: string): boolean {
  return isEnvelopeContent(content) || isLegacyContent(content)
}

export class ContentCrypto {
  private readonly secret: EncryptionKey
  private resolved: Promise<TeamKeys> | undefined

  constructor(secret: EncryptionKey) {
    checkEncryptionKey(secret)
    this.secret = secret
  }

  /** Argon2id is slow by design: derive once, on first use, not in the constructor. */
  private keys(): Promise<TeamKeys> {
    this.resolved ??= resolveTeamKeys(this.secret)
    return this.resolved
  }

  async sealMessage(
    channel: string,
    text: string,
    routing: { thread_id?: string; mention?: string },
  ): Promise<string> {
    const { seal } = await this.keys()
    const body: MessageBody = { content: text }
    const envelope = sealEnvelope(
      {
        type: OpType.Message,
        team: seal.team.teamId,
        channel,
        epoch: seal.epoch,
        thread_id: routing.thread_id ?? null,
        mention: routing.mention ?? null,
        body: encodeBody({ ...body }),
      },
      { epochKey: seal.key, signer: seal.team.signer },
    )
    return encodeContentString(envelope)
  }

  async sealStatus(channel: string, key: string, value: string): Promise<string> {
    const { seal } = await this.keys()
    const body: StatusBody = { key, value }
    const envelope = sealEnvelope(
      {
        type: OpType.StatusSet,
        team: seal.team.teamId,
        channel,
        epoch: seal.epoch,
        ref: key,
        body: encodeBody({ ...body }),
      },
      { epochKey: seal.key, signer: seal.team.signer },
    )
    return encodeContentString(envelope)
  }

  /** Open a message's content; plain text passes through (encrypted: false). */
  async openMessage(channel: string, content: string): Promise<OpenResult> {
    return this.open(content, async (keys) => {
      const body = decodeBody<Partial<MessageBody>>(
        await this.openChecked(keys, content, OpType.Message, channel),
      )
      if (typeof body.content !== 'string') throw new Error('message envelope has no content')
      return body.content
    })
  }

  /** Open a status value; the envelope must be for this channel and this key. */
  async openStatus(channel: string, key: string, value: string): Promise<OpenResult> {
    return this.open(value, async (keys) => {
      const body = decodeBody<Partial<StatusBody>>(
        await this.openChecked(keys, value, OpType.StatusSet, channel),
      )
      if (body.key !== key || typeof body.value !== 'string')
        throw new Error('status envelope is for another key')
      return body.value
    })
  }

  private async open(
    content: string,
    openEnvelopeText: (keys: TeamKeys) => Promise<string>,
  ): Promise<OpenResult> {
    try {
      if (isLegacyContent(content)) return { ok: true, text: this.openLegacy(content), encrypted: true }
      if (!isEnvelopeContent(content)) return { ok: true, text: content, encrypted: false }
      return { ok: true, text: await openEnvelopeText(await this.keys()), encrypted: true }
    } catch (err) {
      return { ok: false, error: (err as Error).message }
    }
  }

  /**
   * Decode, verify and decrypt. The channel and type checks stop a server from replaying a
   * genuine envelope in another channel or as another kind of record.
   */
  private async openChecked(keys: TeamKeys, content: string, type: OpType, channel: string): Promise<Buffer> {
    const envelope = decodeContentString(content)
    if (!envelope) throw new Error('not an envelope')
    verifyEnvelope(envelope)
    if (envelope.header.type !== type)
      throw new Error(`envelope is a ${OpType[envelope.header.type]} operation`)
    if (envelope.header.channel !== channel) throw new Error('envelope belongs to another channel')
    const key = keys.keyOf(envelope.header.epoch)
    if (!key) throw new Error(`no key for epoch ${envelope.header.epoch}`)
    return openEnvelope(envelope, key)
  }

  /** The seed keyed its HKDF with the secret itself, whatever it looked like. */
  private openLegacy(content: string): string {
    if (typeof this.secret !== 'string' && !(this.secret instanceof Uint8Array)) {
      throw new Error('e2ee: content needs the passphrase it was written with, not a keyring')
    }
    return openLegacy(this.secret, content)
  }
}
