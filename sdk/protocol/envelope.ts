// Envelopes: header (plaintext, associated data) + XChaCha20-Poly1305 ciphertext + ed25519
// signature. The bytes are canonical, so one operation has one id on every path it travels.
import c from 'compact-encoding'
import sodium from 'sodium-native'
import { ProtocolError } from './errors.js'
import { type EnvelopeHeader, headerEncoding, NONCE_BYTES, type OpType, PROTOCOL_VERSION } from './header.js'
import { channelKeyOf, randomBytes, type SigningKeyPair } from './keys.js'

export const SIGNATURE_BYTES = 64
const ABYTES = 16
/** Prefix of the signed message, so an envelope signature can never be replayed as another. */
export const SIGNING_DOMAIN = Buffer.from('handoff/v1/envelope\0')
/** Largest plaintext body an envelope may carry (a 32 KiB message plus JSON framing). */
export const MAX_BODY_BYTES = 64 * 1024

export interface Envelope {
  header: EnvelopeHeader
  /** AEAD ciphertext of the body, tag included */
  ciphertext: Buffer
  signature: Buffer
  /** the whole envelope as sent */
  bytes: Buffer
  /** BLAKE2b-256 of the signed bytes (header + ciphertext): the envelope id */
  id: Buffer
  /** the encoded header: the AEAD associated data */
  headerBytes: Buffer
}

export interface SealInput {
  type: OpType
  team: Uint8Array
  channel: string
  epoch: number
  body: Uint8Array
  time?: number
  thread_id?: string | null
  mention?: string | null
  ref?: string | null
  /** only for test vectors: a fixed nonce instead of a random one */
  nonce?: Uint8Array
}

export interface SealKeys {
  /** the team content key of `epoch` (the channel key is derived from it) */
  epochKey: Uint8Array
  signer: SigningKeyPair
}

function hash(input: Uint8Array): Buffer {
  const out = Buffer.alloc(32)
  sodium.crypto_generichash(out, input)
  return out
}

/**
 * What the author signs: the domain and the envelope id (BLAKE2b-256 of header + ciphertext).
 * Signing the 32-byte id instead of the whole envelope costs one hash we need for the id anyway
 * and keeps Ed25519's own hashing short.
 */
function signedMessage(id: Uint8Array): Buffer {
  return Buffer.concat([SIGNING_DOMAIN, id])
}

export function sealEnvelope(input: SealInput, keys: SealKeys): Envelope {
  if (input.body.byteLength > MAX_BODY_BYTES) {
    throw new ProtocolError('MALFORMED', `body is larger than ${MAX_BODY_BYTES} bytes`)
  }
  const header: EnvelopeHeader = {
    version: PROTOCOL_VERSION,
    type: input.type,
    team: Buffer.from(input.team),
    channel: input.channel,
    author: Buffer.from(keys.signer.publicKey),
    time: input.time ?? Date.now(),
    epoch: input.epoch,
    nonce: input.nonce ? Buffer.from(input.nonce) : randomBytes(NONCE_BYTES),
    thread_id: input.thread_id ?? '',
    mention: input.mention ?? '',
    ref: input.ref ?? '',
  }
  const headerBytes = c.encode(headerEncoding, header)
  const ciphertext = Buffer.alloc(input.body.byteLength + ABYTES)
  const key = channelKeyOf(keys.epochKey, header.channel)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    ciphertext,
    input.body,
    headerBytes,
    null,
    header.nonce,
    key,
  )
  const signedBytes = Buffer.concat([headerBytes, c.encode(c.buffer, ciphertext)])
  const id = hash(signedBytes)
  const signature = Buffer.alloc(SIGNATURE_BYTES)
  sodium.crypto_sign_detached(signature, signedMessage(id), keys.signer.secretKey)
  const bytes = Buffer.concat([signedBytes, signature])
  return { header, ciphertext, signature, bytes, id, headerBytes }
}

/** An envelope's parts as views into its bytes: no copies, no id. */
export interface EnvelopeParts {
  header: EnvelopeHeader
  /** the encoded header: the AEAD associated data */
  headerBytes: Buffer
  /** AEAD ciphertext of the body, tag included */
  ciphertext: Buffer
  signature: Buffer
  /** header + ciphertext: what the envelope id hashes */
  signedBytes: Buffer
}

/**
 * Split envelope bytes into their parts, checking structure only, without copying them or
 * hashing the id. For bytes this process verified before (the node's view holds only envelopes
 * apply verified): a read then skips the BLAKE2b of the signed bytes and four copies per
 * envelope. Untrusted bytes go through decodeEnvelope and verifyEnvelope. The parts share memory
 * with `input`.
 */
export function parseEnvelope(input: Uint8Array): EnvelopeParts {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const state = c.state(0, bytes.byteLength, bytes)
  try {
    const header: EnvelopeHeader = headerEncoding.decode(state)
    const headerEnd = state.start
    const ciphertext: Buffer | null = c.buffer.decode(state)
    if (!ciphertext || ciphertext.byteLength < ABYTES) {
      throw new ProtocolError('MALFORMED', 'ciphertext is shorter than its authentication tag')
    }
    if (state.start + SIGNATURE_BYTES > bytes.byteLength) {
      throw new ProtocolError('TRUNCATED', 'envelope ends before its signature')
    }
    if (state.start + SIGNATURE_BYTES < bytes.byteLength) {
      throw new ProtocolError('MALFORMED', 'envelope has trailing bytes after its signature')
    }
    return {
      header,
      headerBytes: bytes.subarray(0, headerEnd),
      ciphertext,
      signature: bytes.subarray(state.start),
      signedBytes: bytes.subarray(0, state.start),
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    // compact-encoding throws plain errors when it reads past the end of the buffer.
    throw new ProtocolError('TRUNCATED', `envelope is truncated or malformed: ${(err as Error).message}`)
  }
}

/** Parse envelope bytes (own copies of its parts) and compute its id. Checks structure only:
 *  call verifyEnvelope before trusting it. */
export function decodeEnvelope(input: Uint8Array): Envelope {
  const parts = parseEnvelope(input)
  return {
    header: parts.header,
    ciphertext: Buffer.from(parts.ciphertext),
    signature: Buffer.from(parts.signature),
    bytes: Buffer.from(input),
    id: hash(parts.signedBytes),
    headerBytes: Buffer.from(parts.headerBytes),
  }
}

/** Whether `signature` is `author`'s over the envelope whose id is `id`. */
export function signatureValid(signature: Uint8Array, author: Uint8Array, id: Uint8Array): boolean {
  return sodium.crypto_sign_verify_detached(signature, signedMessage(id), author)
}

/** What a forged envelope fails with: verifyEnvelope throws it, and a check made elsewhere (the
 *  node's batched checks) records the same. */
export function badSignature(): ProtocolError {
  return new ProtocolError('BAD_SIGNATURE', 'envelope signature does not match its author')
}

/** Throws BAD_SIGNATURE unless the header's author signed exactly these bytes. */
export function verifyEnvelope(envelope: Envelope): void {
  if (!signatureValid(envelope.signature, envelope.header.author, envelope.id)) throw badSignature()
}

/** What decrypting needs of an envelope: a decoded Envelope or parsed EnvelopeParts. */
export type SealedBody = Pick<EnvelopeParts, 'header' | 'headerBytes' | 'ciphertext'>

/** Decrypt the body. DECRYPT_FAILED for another team's or epoch's key, or altered bytes. */
export function openEnvelope(envelope: SealedBody, epochKey: Uint8Array): Buffer {
  const key = channelKeyOf(epochKey, envelope.header.channel)
  const body = Buffer.alloc(envelope.ciphertext.byteLength - ABYTES)
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      body,
      null,
      envelope.ciphertext,
      envelope.headerBytes,
      envelope.header.nonce,
      key,
    )
  } catch {
    // sodium-native throws a generic error on a failed tag; give it a code the caller can act on.
    throw new ProtocolError('DECRYPT_FAILED', 'envelope does not decrypt with this key')
  }
  return body
}

/** Verify then decrypt: what a reader of untrusted bytes should call. */
export function verifyAndOpen(bytes: Uint8Array, epochKey: Uint8Array): { envelope: Envelope; body: Buffer } {
  const envelope = decodeEnvelope(bytes)
  verifyEnvelope(envelope)
  return { envelope, body: openEnvelope(envelope, epochKey) }
}

/** The hex id of an envelope: the same wherever the envelope travelled. */
export function envelopeIdHex(envelope: Envelope): string {
  return envelope.id.toString('hex')
}

/**
 * The API message id of an envelope: `<13-digit ms>-<10-digit number>` (the seed's
 * `^\d+-\d+$` shape), from the author's time and the envelope id, so ids sort by time and are
 * identical on every replica and the relay.
 */
export function messageIdOf(envelope: Envelope): string {
  const ms = String(envelope.header.time).padStart(13, '0')
  const suffix = String(envelope.id.readUInt32BE(0)).padStart(10, '0')
  return `${ms}-${suffix}`
}
