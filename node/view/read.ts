// Reads of the view, shaped as the API's JSON. Envelopes are opened here, at serving time, with
// the epoch keys of the node's key file; an envelope this node has no key for is served as its
// `hf1:` content string (encrypted: true), exactly what the relay would hand out.
import type Hyperbee from 'hyperbee'
import type { BeeRange } from 'hyperbee'
import { ApiError } from '../../sdk/api/errors.js'
import { canonicalCursor } from '../../sdk/api/schemas.js'
import type { Ack, Channel, Message, Status, StatusChange } from '../../sdk/api/types.js'
import {
  type EnvelopeParts,
  encodeContentString,
  openEnvelope,
  parseEnvelope,
  type SealedBody,
} from '../../sdk/protocol/index.js'
import type { Arrivals } from '../arrivals.js'
import { type ChannelBody, decodeOpBody, type MessageBody } from '../log/ops.js'
import { CHANNELS_FROM, CHANNELS_TO, type ChannelSpace, channelKey, channelSpace, seqOf } from './keys.js'
import type { ChangeRecord, ChannelRecord, MessageRecord, ViewValue } from './records.js'

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

  /** Body of an envelope, or null when this node lacks its epoch key (or it does not open). */
  open<T>(envelope: SealedBody | null): T | null {
    if (!envelope) return null
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
        this.open<ChannelBody>(storedEnvelope(Buffer.from(record.env, 'base64')))?.description ?? null
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

  toMessage(channel: string, record: MessageRecord): Message {
    // decrypted on every read; only the ciphertext's decoding is remembered (storedOf)
    const opened = this.open<MessageBody>(storedOf(record))
    // a body of the wrong shape (signed by a member, but not by this code) is served as ciphertext
    const body =
      opened && typeof opened.content === 'string' && typeof opened.sender === 'string' ? opened : null
    const message: Message = {
      id: record.id,
      channel,
      sender: body?.sender ?? '',
      content: body ? body.content : encodeContentString({ bytes: Buffer.from(record.env, 'base64') }),
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
    const bytes = Buffer.from(env, 'base64')
    const envelope = storedEnvelope(bytes)
    if (!envelope) return null
    const opened = this.open<{ key: string; value: string; by: string }>(envelope)
    const body = opened && typeof opened.value === 'string' ? opened : null
    return {
      channel,
      key: envelope.header.ref,
      value: body ? body.value : encodeContentString({ bytes }),
      updated_by: body ? body.by : null,
      updated_at: iso(envelope.header.time),
    }
  }

  /** The change as the API shows it, or null for stored bytes that are not an envelope. */
  toChange(channel: string, record: ChangeRecord): StatusChange | null {
    const bytes = Buffer.from(record.env, 'base64')
    const envelope = storedEnvelope(bytes)
    if (!envelope) return null
    const body = this.open<{ value?: string; by: string }>(envelope)
    const change: StatusChange = {
      id: record.id,
      channel,
      key: envelope.header.ref,
      value: record.deleted ? '' : body ? (body.value ?? '') : encodeContentString({ bytes }),
      changed_by: body ? body.by : null,
      changed_at: iso(envelope.header.time),
    }
    if (record.deleted) change.deleted = true
    return change
  }

  toAck(channel: string, env: string): Ack | null {
    const envelope = storedEnvelope(Buffer.from(env, 'base64'))
    if (!envelope) return null
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
 * Envelope bytes from the view split into header and ciphertext (views into the bytes, no
 * copies), or null for bytes that are not an envelope. apply verified each envelope (bytes,
 * signature, team, author) before it entered the view, and the view is this node's own storage,
 * so a read needs neither the envelope id (a BLAKE2b of the signed bytes, which decodeEnvelope
 * computes) nor copies of its parts: on a latest-50 read the id hashes alone were ~6% of the CPU
 * profile.
 */
function storedEnvelope(bytes: Buffer): EnvelopeParts | null {
  try {
    return parseEnvelope(bytes)
  } catch {
    return null
  }
}

/**
 * A message record's envelope (storedEnvelope), once per record: the view's records are decoded
 * once per block (decodeViewValue) and shared by every read, so this saves each read the base64
 * decode and header decode of all its envelopes.
 */
function storedOf(record: MessageRecord): EnvelopeParts | null {
  let envelope = stored.get(record)
  if (envelope === undefined) {
    envelope = storedEnvelope(Buffer.from(record.env, 'base64'))
    stored.set(record, envelope)
  }
  return envelope
}
const stored = new WeakMap<MessageRecord, EnvelopeParts | null>()

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
