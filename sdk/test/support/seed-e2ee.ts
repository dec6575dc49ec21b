// Writes "e2ee:" strings the way handoff-sdk v1.3.2 did, with node:crypto, so tests can check
// that history encrypted by the old SDK stays readable. Test-only: the SDK never writes them.
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto'

/** An "e2ee:" string exactly as handoff-sdk v1.3.2 wrote one (salt | iv | ciphertext+tag). */
export function seedEncrypt(secret: string, plaintext: string): string {
  const salt = randomBytes(32)
  const iv = randomBytes(12)
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), salt, 'handoff-e2ee-v1', 32))
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `e2ee:${Buffer.concat([salt, iv, ciphertext]).toString('base64')}`
}
