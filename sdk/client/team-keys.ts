// What a client's `encryptionKey` means in keys. A passphrase (Argon2id) or one raw 32-byte key
// is an HTTP-only team: one key, epoch 0, and a signer every holder derives from it. A keyring
// ({ epochs: { 0: key, 1: key } }) holds a node team's epoch keys: envelopes open with the key
// of their own epoch, and new ones are sealed under the newest.
import { derivePassphraseKey, type SharedKeyTeam, teamFromKey } from '../protocol/index.js'

/** Epoch keys of a team, each 32 bytes (or 64 hex characters). */
export interface TeamKeyring {
  epochs: Record<number, string | Uint8Array>
}

/**
 * Team secret for end-to-end encryption: a passphrase (Argon2id-derived), a raw 32-byte key as
 * bytes or 64 hex characters, or a keyring of epoch keys.
 */
export type EncryptionKey = string | Uint8Array | TeamKeyring

export interface TeamKeys {
  /** the key new envelopes are sealed with, its epoch, and who signs them */
  seal: { epoch: number; key: Buffer; team: SharedKeyTeam }
  /** the content key of `epoch`; null when this client does not hold it */
  keyOf(epoch: number): Buffer | null
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/

function rawKey(value: string | Uint8Array, what: string): Buffer {
  if (typeof value === 'string') {
    if (!HEX_KEY.test(value)) throw new TypeError(`${what} must be 64 hex characters`)
    return Buffer.from(value, 'hex')
  }
  if (value.byteLength !== 32) throw new TypeError(`${what} as bytes must be exactly 32 bytes`)
  return Buffer.from(value)
}

/** Checks the shape at construction, so a mistyped key fails at once rather than on first use. */
export function checkEncryptionKey(secret: EncryptionKey): void {
  if (typeof secret === 'string') {
    if (secret.length === 0) throw new TypeError('encryptionKey is empty')
  } else if (secret instanceof Uint8Array) {
    rawKey(secret, 'encryptionKey')
  } else {
    const entries = Object.entries(secret?.epochs ?? {})
    if (entries.length === 0) throw new TypeError('encryptionKey.epochs holds no key')
    for (const [epoch, key] of entries) {
      if (!/^\d+$/.test(epoch)) throw new TypeError(`encryptionKey.epochs: "${epoch}" is not an epoch number`)
      rawKey(key, `encryptionKey.epochs[${epoch}]`)
    }
  }
}

/** Resolve the secret; slow for a passphrase (Argon2id), so callers derive once and keep it. */
export async function resolveTeamKeys(secret: EncryptionKey): Promise<TeamKeys> {
  if (typeof secret === 'string' || secret instanceof Uint8Array) {
    const key =
      typeof secret === 'string' && !HEX_KEY.test(secret)
        ? await derivePassphraseKey(secret)
        : rawKey(secret, 'encryptionKey')
    // One key for every epoch: an HTTP-only team never rotates (its members share the secret).
    return { seal: { epoch: 0, key, team: teamFromKey(key) }, keyOf: () => key }
  }
  const ring = new Map<number, Buffer>()
  for (const [epoch, key] of Object.entries(secret.epochs)) ring.set(Number(epoch), rawKey(key, 'epoch key'))
  const newest = Math.max(...ring.keys())
  const key = ring.get(newest)!
  return { seal: { epoch: newest, key, team: teamFromKey(key) }, keyOf: (epoch) => ring.get(epoch) ?? null }
}
