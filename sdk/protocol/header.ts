// The envelope header: the plaintext part of an operation, bound to its ciphertext as AEAD
// associated data and covered by the author's signature. Field order is the wire order.
import c from 'compact-encoding'
import { ProtocolError } from './errors.js'

export const PROTOCOL_VERSION = 1

/** What an envelope does. Numbers are wire values: never reuse one. */
export enum OpType {
  Message = 1,
  Delete = 2,
  StatusSet = 3,
  StatusDelete = 4,
  Ack = 5,
  ChannelCreate = 6,
  ChannelDelete = 7,
  MemberAdd = 8,
  MemberRemove = 9,
  EpochKey = 10,
  KeyPermissions = 11,
}

export const NONCE_BYTES = 24

export interface EnvelopeHeader {
  version: number
  type: OpType
  /** 32-byte team id */
  team: Buffer
  /** channel name; "" for team-level operations (membership, keys) */
  channel: string
  /** the author's ed25519 public key */
  author: Buffer
  /** milliseconds since the Unix epoch, as the author's clock said */
  time: number
  /** key epoch whose content key encrypts this envelope */
  epoch: number
  /** XChaCha20-Poly1305 nonce */
  nonce: Buffer
  /** routing fields a relay may read; "" when absent */
  thread_id: string
  mention: string
  /** the operation's target: a message id (delete), last-read id (ack), status key, member key... */
  ref: string
}

const MAX_FIELD_BYTES = 1024
const nonceEncoding = c.fixed(NONCE_BYTES)

export const headerEncoding: c.Encoding<EnvelopeHeader> = {
  preencode(state, h) {
    c.uint.preencode(state, h.version)
    c.uint.preencode(state, h.type)
    c.fixed32.preencode(state, h.team)
    c.string.preencode(state, h.channel)
    c.fixed32.preencode(state, h.author)
    c.uint.preencode(state, h.time)
    c.uint.preencode(state, h.epoch)
    nonceEncoding.preencode(state, h.nonce)
    c.string.preencode(state, h.thread_id)
    c.string.preencode(state, h.mention)
    c.string.preencode(state, h.ref)
  },
  encode(state, h) {
    c.uint.encode(state, h.version)
    c.uint.encode(state, h.type)
    c.fixed32.encode(state, h.team)
    c.string.encode(state, h.channel)
    c.fixed32.encode(state, h.author)
    c.uint.encode(state, h.time)
    c.uint.encode(state, h.epoch)
    nonceEncoding.encode(state, h.nonce)
    c.string.encode(state, h.thread_id)
    c.string.encode(state, h.mention)
    c.string.encode(state, h.ref)
  },
  decode(state) {
    const version = c.uint.decode(state)
    // The version comes first so that a future layout is refused before it is misread.
    if (version !== PROTOCOL_VERSION) {
      throw new ProtocolError(
        'UNKNOWN_VERSION',
        `envelope version ${version} is not supported (this is ${PROTOCOL_VERSION})`,
      )
    }
    const header: EnvelopeHeader = {
      version,
      type: c.uint.decode(state),
      team: c.fixed32.decode(state),
      channel: c.string.decode(state),
      author: c.fixed32.decode(state),
      time: c.uint.decode(state),
      epoch: c.uint.decode(state),
      nonce: nonceEncoding.decode(state),
      thread_id: c.string.decode(state),
      mention: c.string.decode(state),
      ref: c.string.decode(state),
    }
    if (!OpType[header.type]) throw new ProtocolError('MALFORMED', `unknown operation type ${header.type}`)
    for (const field of ['channel', 'thread_id', 'mention', 'ref'] as const) {
      if (Buffer.byteLength(header[field]) > MAX_FIELD_BYTES) {
        throw new ProtocolError('MALFORMED', `header field ${field} is longer than ${MAX_FIELD_BYTES} bytes`)
      }
    }
    return header
  },
}
