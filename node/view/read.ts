// Reads of the view, shaped as the API's JSON. Envelopes are opened here, at serving time, with
// the epoch keys of the node's key file; an envelope this node has no key for is served as its
// `hf1:` content string (encrypted: true), exactly what the relay would hand out.
import type Hyperbee from 'hyperbee'
import type { BeeRange } from 'hyperbee'
import { ApiError } from '../../sdk/api/errors.js'
import { canonicalCursor } from '../../sdk/api/schemas.js'
import type { Ack, Channel, Message, Status, StatusChange } from '../../sdk/api/types.js'
import { decodeEnvelope, type Envelope, encodeContentString, openEnvelope } from '../../sdk/protocol/index.js'
import type { Arrivals } from '../arrivals.js'
import { type ChannelBody, decodeOpBody, type MessageBody } from '../log/ops.js'
import { CHANNELS_FROM, CHANNELS_TO, type ChannelSpace, channelKey, channelSpace, seqOf } from './keys.js'
import type { ChangeRecord, ChannelRecord, MessageRecord, ViewValue } from './records.js'
import { decodeStored, openStored, type StoredEnvelope } from './stored.js'

export interface Keyring {
  /** the content key of an epoch, or null when this node never received it */
  epochKey(epoch: number): Buffer | null
}

const CURSOR_RE = /^\d{1,20}(-\d{1,20})?$/

export const iso = (ms: number) => new Date(ms).toISOString()

export class ViewReader {
  /** this node's arrival order; when set, the channel feed pages by it (node/arrivals.ts) */
  arrivals: Arrivals | null = null

  constructor(
    private readonly view: () => Hyperbee<ViewValue>,
    private readonly keys: Keyring,
  ) {}

  async get<T extends ViewValue>(key: string): Promise<T | null> {
    const entry = await this.view().get(key)
    return entry ? (entry.value as T) : null
  }

  async *range<T extends ViewValue>(range: BeeRange): AsyncIterable<{ key: string; value: T }> {
    for await (const entry of this.view().createReadStream(range))
      yield entry as unknown as { key: string; value: T }
  }

  /** The envelope records of a range opened with `open` (those it refuses left out), by `sortKey`. */
  async listOpened<T>(
    range: BeeRange,
    open: (env: string) => T | null,
    sortKey: (item: T) => string,
  ): Promise<T[]> {
    const out: T[] = []
    for await (const { value } of this.range<{ env: string }>(range)) {
      const item = open(value.env)
      if (item) out.push(item)
    }
    return out.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))
  }

  /** The live channel record and its key space, or null. */
  async channel(name: string): Promise<{ record: ChannelRecord; space: ChannelSpace } | null> {
    const record = await this.get<ChannelRecord>(channelKey(name))
    if (!record || record.deleted) return null
    return { record, space: channelSpace(name, record.gen) }
  }

  /** Body of an envelope, or null when this node lacks its epoch key. */
  open<T>(envelope: Envelope): T | null {
    const key = this.keys.epochKey(envelope.header.epoch)
    if (!key) return null
    try {
      return decodeOpBody<T>(openEnvelope(envelope, key))
    } catch {
      return null
    }
  }

  toChannel(name: string, record: ChannelRecord): Channel {
    let description: string | null = null
    if (record.env)
      description =
        this.open<ChannelBody>(decodeEnvelope(Buffer.from(record.env, 'base64')))?.description ?? null
    return {
      name,
      description,
      created_at: iso(record.created_at),
      message_count: record.count,
      last_activity: record.last === null ? null : iso(record.last),
    }
  }

  async listChannels(): Promise<Channel[]> {
    const out: Channel[] = []
    for await (const { key, value } of this.range<ChannelRecord>({ gt: CHANNELS_FROM, lt: CHANNELS_TO })) {
      if (!value.deleted) out.push(this.toChannel(key.slice(CHANNELS_FROM.length), value))
    }
    return out
  }

  /** The body of a stored envelope (node/view/stored.ts), or null without its epoch key. */
  openStored<T>(bytes: Buffer): T | null {
    try {
      return this.openEnvelopeBody<T>(decodeStored(bytes))
    } catch {
      return null
    }
  }

  private openEnvelopeBody<T>(envelope: StoredEnvelope | null): T | null {
    if (!envelope) return null
    try {
      const key = this.keys.epochKey(envelope.header.epoch)
      const body = key ? openStored(envelope, key) : null
      return body ? decodeOpBody<T>(body) : null
    } catch {
      return null
    }
  }

  toMessage(channel: string, record: MessageRecord): Message {
    // decrypted on every read; only the ciphertext's decoding is remembered (storedOf)
    const opened = this.openEnvelopeBody<MessageBody>(storedOf(record))
    // a body of the wrong shape (signed by a member, but not by this code) is served as ciphertext
    const body =
      opened && typeof opened.content === 'string' && typeof opened.sender === 'string' ? opened : null
    const message: Message = {
      id: record.id,
      channel,
      sender: body?.sender ?? '',
      content: body ? body.content : encodeContentString(decodeEnvelope(Buffer.from(record.env, 'base64'))),
      mention: record.mention,
      thread_id: record.thread_id,
      reply_count: record.replies,
      created_at: iso(record.time),
    }
    if (!body) message.encrypted = true
    return message
  }

  async messageAt(space: ChannelSpace, seq: number): Promise<MessageRecord | null> {
    return this.get<MessageRecord>(space.message(seq))
  }

  async messageById(space: ChannelSpace, id: string): Promise<{ seq: number; record: MessageRecord } | null> {
    if (!CURSOR_RE.test(id)) return null
    id = canonicalCursor(id)
    // Two reads (id -> position, position -> record): an autobase reorder applied between them
    // moves another message to that position, and a POST answered with it (seen: 2 of 40
    // concurrent posts on two writers got another message back). Read again until they agree.
    for (let attempt = 0; attempt < 5; attempt++) {
      const seq = await this.get<number>(space.messageId(id))
      if (seq === null) return null
      const record = await this.messageAt(space, seq)
      if (record && record.id !== id) continue
      return record && !record.deleted ? { seq, record } : null
    }
    return null
  }

  /** A validated, canonical cursor id; null for the start (`0`, `0-0`). */
  parseCursor(cursor: string, field = 'after_id'): string | null {
    if (!CURSOR_RE.test(cursor)) {
      throw new ApiError(
        'INVALID_CURSOR',
        `Invalid ${field} format. Expected a message ID like '1234567890-0'`,
      )
    }
    cursor = canonicalCursor(cursor)
    return cursor === '0' || cursor === '0-0' ? null : cursor
  }

  /**
   * The log position after which a cursor points: its own seq for an id this channel holds, else
   * the last message whose id sorts before it (ids follow log order on each author's clock).
   */
  async cursorSeq(
    space: ChannelSpace,
    record: ChannelRecord,
    cursor: string,
    field = 'after_id',
  ): Promise<number> {
    const parsed = this.parseCursor(cursor, field)
    if (parsed === null) return 0
    cursor = parsed
    const known = await this.get<number>(space.messageId(cursor))
    if (known !== null) return known
    const cmp = compareIds
    let lo = 0
    let hi = record.msgSeq
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      const at = await this.messageAt(space, mid)
      if (at && cmp(at.id, cursor) <= 0) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  toStatus(channel: string, env: string): Status | null {
    const envelope = decodeEnvelope(Buffer.from(env, 'base64'))
    const opened = this.open<{ key: string; value: string; by: string }>(envelope)
    const body = opened && typeof opened.value === 'string' ? opened : null
    return {
      channel,
      key: envelope.header.ref,
      value: body ? body.value : encodeContentString(envelope),
      updated_by: body ? body.by : null,
      updated_at: iso(envelope.header.time),
    }
  }

  toChange(channel: string, record: ChangeRecord): StatusChange {
    const envelope = decodeEnvelope(Buffer.from(record.env, 'base64'))
    const body = this.open<{ value?: string; by: string }>(envelope)
    const change: StatusChange = {
      id: record.id,
      channel,
      key: envelope.header.ref,
      value: record.deleted ? '' : body ? (body.value ?? '') : encodeContentString(envelope),
      changed_by: body ? body.by : null,
      changed_at: iso(envelope.header.time),
    }
    if (record.deleted) change.deleted = true
    return change
  }

  toAck(channel: string, env: string): Ack | null {
    const envelope = decodeEnvelope(Buffer.from(env, 'base64'))
    const body = this.open<{ sender: string; last_read_id: string }>(envelope)
    if (!body || typeof body.sender !== 'string' || typeof body.last_read_id !== 'string') return null
    return {
      channel,
      sender: body.sender,
      last_read_id: body.last_read_id,
      acked_at: iso(envelope.header.time),
    }
  }
}

/**
 * A message record's envelope decoded to header and ciphertext (views into its bytes), once per
 * record: the view's records are decoded once per block (decodeViewValue) and shared by every
 * read, so this saves each read the base64 decode and header decode of all its envelopes. Null
 * for bytes that are not a stored envelope.
 */
function storedOf(record: MessageRecord): StoredEnvelope | null {
  let envelope = stored.get(record)
  if (envelope === undefined) {
    try {
      envelope = decodeStored(Buffer.from(record.env, 'base64'))
    } catch {
      envelope = null
    }
    stored.set(record, envelope)
  }
  return envelope
}
const stored = new WeakMap<MessageRecord, StoredEnvelope | null>()

/** Numeric compare of `<ms>-<n>` ids (decimal strings of any length). */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-')
  const [bm = '0', bs = '0'] = b.split('-')
  const dec = (x: string, y: string) => {
    const xs = x.replace(/^0+(?=\d)/, '')
    const ys = y.replace(/^0+(?=\d)/, '')
    return xs.length !== ys.length ? xs.length - ys.length : xs < ys ? -1 : xs > ys ? 1 : 0
  }
  return dec(am, bm) || dec(as, bs)
}

export { seqOf }
