// Reader for handoff-sdk v1.3.2's "e2ee:" strings, so history encrypted by the old SDK stays
// readable. Its format (read from the seed, implemented afresh): "e2ee:" + base64 of
// salt (32 bytes) | IV (12 bytes) | AES-256-GCM ciphertext with its 16-byte tag appended, the
// key being HKDF-SHA256(ikm = UTF-8 of the shared secret, salt, info "handoff-e2ee-v1", 32 bytes).
// We only read it: new content is written as protocol envelopes.
import { createDecipheriv, hkdfSync } from 'node:crypto'

export const LEGACY_PREFIX = 'e2ee:'
const SALT_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const INFO = 'handoff-e2ee-v1'

export function isLegacyContent(content: string): boolean {
  return content.startsWith(LEGACY_PREFIX)
}

/** Decrypt one "e2ee:" string; throws when the secret is wrong or the bytes were altered. */
export function openLegacy(secret: string | Uint8Array, content: string): string {
  const packed = Buffer.from(content.slice(LEGACY_PREFIX.length), 'base64')
  if (packed.byteLength < SALT_BYTES + IV_BYTES + TAG_BYTES) throw new Error('e2ee: content is truncated')
  const salt = packed.subarray(0, SALT_BYTES)
  const iv = packed.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES)
  const ciphertext = packed.subarray(SALT_BYTES + IV_BYTES, packed.byteLength - TAG_BYTES)
  const tag = packed.subarray(packed.byteLength - TAG_BYTES)
  const ikm = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret
  const key = Buffer.from(hkdfSync('sha256', ikm, salt, INFO, 32))
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
  } catch {
    // node:crypto's message ("Unsupported state or unable to authenticate data") says nothing useful.
    throw new Error('e2ee: content does not decrypt with this key')
  }
}
