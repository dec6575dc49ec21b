// Opening the envelopes the view holds, for serving. apply verified each one (bytes, signature,
// team, author) before it entered the view, and the view is this node's own storage, so a read
// needs neither the envelope id (a BLAKE2b of the signed bytes, which decodeEnvelope computes) nor
// copies of its parts: the header is decoded in place and the body decrypted. On a latest-50 read
// the id hashes alone were ~6% of the CPU profile.
import c from 'compact-encoding'
import sodium from 'sodium-native'
import { channelKeyOf, type EnvelopeHeader, headerEncoding } from '../../sdk/protocol/index.js'

const ABYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES

export interface StoredEnvelope {
  header: EnvelopeHeader
  /** the header's encoding: the body's associated data */
  headerBytes: Buffer
  ciphertext: Buffer
}

/** Header and ciphertext of stored envelope bytes (views into `bytes`, no copies). */
export function decodeStored(bytes: Buffer): StoredEnvelope {
  const state = c.state(0, bytes.byteLength, bytes)
  const header = headerEncoding.decode(state)
  const headerBytes = bytes.subarray(0, state.start)
  const ciphertext = c.buffer.decode(state)
  if (!ciphertext || ciphertext.byteLength < ABYTES) throw new Error('stored envelope without a body')
  return { header, headerBytes, ciphertext }
}

/** The decrypted body, or null when it does not open with this epoch key. */
export function openStored(envelope: StoredEnvelope, epochKey: Buffer): Buffer | null {
  const body = Buffer.allocUnsafe(envelope.ciphertext.byteLength - ABYTES)
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      body,
      null,
      envelope.ciphertext,
      envelope.headerBytes,
      envelope.header.nonce,
      channelKeyOf(epochKey, envelope.header.channel),
    )
    return body
  } catch {
    return null
  }
}
