// Turns records between what the caller holds and what travels: seals outgoing text and status
// values when the client has a team secret, opens incoming ones, and flags what it cannot open
// (`encrypted: true` + `decrypt_error`, content left as sent) instead of failing the read.
import type { Message, Status, StatusChange } from '../api/types.js'
import { ContentCrypto, isEncryptedContent, type OpenResult } from './crypto.js'
import type { EncryptionKey } from './team-keys.js'

/** What the client adds to records it read: whether they were encrypted, and why one did not open. */
export interface DecryptFlags {
  encrypted?: boolean
  /** set when the content is encrypted but could not be opened; the content is left as sent */
  decrypt_error?: string
}

export type ClientMessage = Message & DecryptFlags
export type ClientStatus = Status & DecryptFlags
export type ClientStatusChange = StatusChange & DecryptFlags

function apply<T extends object>(record: T, field: keyof T & string, result: OpenResult): T & DecryptFlags {
  if (!result.ok) return { ...record, encrypted: true, decrypt_error: result.error }
  if (!result.encrypted) return record // plain text, as the seed passed it through
  return { ...record, [field]: result.text, encrypted: true }
}

/** Without a secret, encrypted content passes through untouched but is marked as such. */
function mark<T extends object>(record: T, value: string): T & DecryptFlags {
  return isEncryptedContent(value) ? { ...record, encrypted: true } : record
}

export class RecordCodec {
  private readonly crypto: ContentCrypto | undefined

  constructor(secret: EncryptionKey | undefined) {
    this.crypto = secret === undefined ? undefined : new ContentCrypto(secret)
  }

  get encrypted(): boolean {
    return this.crypto !== undefined
  }

  sealMessage(
    channel: string,
    text: string,
    routing: { thread_id?: string; mention?: string },
  ): Promise<string> {
    return this.crypto ? this.crypto.sealMessage(channel, text, routing) : Promise.resolve(text)
  }

  sealStatus(channel: string, key: string, value: string): Promise<string> {
    return this.crypto ? this.crypto.sealStatus(channel, key, value) : Promise.resolve(value)
  }

  async message(message: Message): Promise<ClientMessage> {
    if (!this.crypto) return mark(message, message.content)
    const result = await this.crypto.openMessage(message.channel, message.content)
    return apply(message, 'content', result)
  }

  messages(messages: Message[]): Promise<ClientMessage[]> {
    return Promise.all(messages.map((m) => this.message(m)))
  }

  async status(status: Status): Promise<ClientStatus> {
    if (!this.crypto) return mark(status, status.value)
    return apply(status, 'value', await this.crypto.openStatus(status.channel, status.key, status.value))
  }

  async statusChange(change: StatusChange): Promise<ClientStatusChange> {
    // A deletion's value is "" (nothing to open).
    if (!this.crypto || change.value === '') return mark(change, change.value)
    return apply(change, 'value', await this.crypto.openStatus(change.channel, change.key, change.value))
  }
}
