// The client's end-to-end encryption seam. With a team secret, message text and status values
// are sealed into protocol envelopes ("hf1:..." content strings) before they leave the process
// and opened on read; the seed's "e2ee:" strings are still opened. A string that fails to open
// is reported, never thrown: one bad message must not make a whole page unreadable.
import {
  decodeBody,
  decodeContentString,
  derivePassphraseKey,
  encodeBody,
  encodeContentString,
  isEnvelopeContent,
  OpType,
  openEnvelope,
  type SharedKeyTeam,
  sealEnvelope,
  teamFromKey,
  verifyEnvelope,
} from '../protocol/index.js'
import { isLegacyContent, openLegacy } from './legacy-e2ee.js'
import type { EncryptionKey } from './types.js'

/** HTTP-only teams have a single key: epoch 0. */
const EPOCH = 0

/** Body of a sealed message envelope. */
interface MessageBody {
  content: string
}
/** Body of a sealed status envelope; the key is also the header's `ref`. */
interface StatusBody {
  key: string
  value: string
}

export type OpenResult = { ok: true; text: string; encrypted: boolean } | { ok: false; error: string }

/** True for content another client encrypted (ours or the seed's format). */
export function isEncryptedContent(content: string): boolean {
  return isEnvelopeContent(content) || isLegacyContent(content)
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/

/** A raw key (32 bytes, or 64 hex characters) is used as is; anything else is a passphrase. */
async function teamKeyOf(secret: EncryptionKey): Promise<Buffer> {
  if (typeof secret !== 'string') {
    if (secret.byteLength !== 32) throw new TypeError('encryptionKey as bytes must be exactly 32 bytes')
    return Buffer.from(secret)
  }
  if (HEX_KEY.test(secret)) return Buffer.from(secret, 'hex')
  return derivePassphraseKey(secret)
}

export class ContentCrypto {
  private readonly secret: EncryptionKey
  private team: Promise<SharedKeyTeam> | undefined

  constructor(secret: EncryptionKey) {
    if (typeof secret === 'string' && secret.length === 0) throw new TypeError('encryptionKey is empty')
    this.secret = secret
  }

  /** Argon2id is slow by design: derive once, on first use, not in the constructor. */
  private keys(): Promise<SharedKeyTeam> {
    this.team ??= teamKeyOf(this.secret).then(teamFromKey)
    return this.team
  }

  async sealMessage(
    channel: string,
    text: string,
    routing: { thread_id?: string; mention?: string },
  ): Promise<string> {
    const team = await this.keys()
    const body: MessageBody = { content: text }
    const envelope = sealEnvelope(
      {
        type: OpType.Message,
        team: team.teamId,
        channel,
        epoch: EPOCH,
        thread_id: routing.thread_id ?? null,
        mention: routing.mention ?? null,
        body: encodeBody({ ...body }),
      },
      { epochKey: team.teamKey, signer: team.signer },
    )
    return encodeContentString(envelope)
  }

  async sealStatus(channel: string, key: string, value: string): Promise<string> {
    const team = await this.keys()
    const body: StatusBody = { key, value }
    const envelope = sealEnvelope(
      {
        type: OpType.StatusSet,
        team: team.teamId,
        channel,
        epoch: EPOCH,
        ref: key,
        body: encodeBody({ ...body }),
      },
      { epochKey: team.teamKey, signer: team.signer },
    )
    return encodeContentString(envelope)
  }

  /** Open a message's content; plain text passes through (encrypted: false). */
  async openMessage(channel: string, content: string): Promise<OpenResult> {
    return this.open(content, async (team) => {
      const body = decodeBody<Partial<MessageBody>>(
        await this.openChecked(team, content, OpType.Message, channel),
      )
      if (typeof body.content !== 'string') throw new Error('message envelope has no content')
      return body.content
    })
  }

  /** Open a status value; the envelope must be for this channel and this key. */
  async openStatus(channel: string, key: string, value: string): Promise<OpenResult> {
    return this.open(value, async (team) => {
      const body = decodeBody<Partial<StatusBody>>(
        await this.openChecked(team, value, OpType.StatusSet, channel),
      )
      if (body.key !== key || typeof body.value !== 'string')
        throw new Error('status envelope is for another key')
      return body.value
    })
  }

  private async open(
    content: string,
    openEnvelopeText: (team: SharedKeyTeam) => Promise<string>,
  ): Promise<OpenResult> {
    try {
      // The seed keyed its HKDF with the secret itself, whatever it looked like.
      if (isLegacyContent(content))
        return { ok: true, text: openLegacy(this.secret, content), encrypted: true }
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
  private async openChecked(
    team: SharedKeyTeam,
    content: string,
    type: OpType,
    channel: string,
  ): Promise<Buffer> {
    const envelope = decodeContentString(content)
    if (!envelope) throw new Error('not an envelope')
    verifyEnvelope(envelope)
    if (envelope.header.type !== type)
      throw new Error(`envelope is a ${OpType[envelope.header.type]} operation`)
    if (envelope.header.channel !== channel) throw new Error('envelope belongs to another channel')
    return openEnvelope(envelope, team.teamKey)
  }
}
