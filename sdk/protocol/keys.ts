// The key schedule: identities, team content keys per epoch, per-channel keys, sealing an epoch
// key to a member, and passphrase-derived keys for HTTP-only teams. Pure functions over sodium.
import sodium from 'sodium-native'
import { ProtocolError } from './errors.js'

export const KEY_BYTES = 32

export interface SigningKeyPair {
  publicKey: Buffer
  secretKey: Buffer
}

/** Labels that separate every derivation from every other (BLAKE2b keyed by the secret). */
const LABEL = {
  channel: 'handoff/v1/channel-key',
  teamId: 'handoff/v1/team-id',
  topic: 'handoff/v1/swarm-topic',
  sharedSigner: 'handoff/v1/shared-signer',
  passphraseSalt: 'handoff/v1/passphrase-salt',
} as const

/**
 * BLAKE2b-256 keyed by `key` over `label || 0x00 || parts...`: the one derivation every labelled
 * key, id and tag in Handoff uses (here and in node/), so labels can never collide in shape.
 */
export function keyedHash(key: Uint8Array, label: string, ...parts: Array<string | Uint8Array>): Buffer {
  const out = Buffer.alloc(32)
  const input = [Buffer.from(label), Buffer.from([0]), ...parts.map((part) => Buffer.from(part))]
  sodium.crypto_generichash_batch(out, input, key)
  return out
}

function assertKey(key: Uint8Array, name: string): void {
  if (key.byteLength !== KEY_BYTES) throw new ProtocolError('BAD_KEY', `${name} must be ${KEY_BYTES} bytes`)
}

export function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n)
  sodium.randombytes_buf(buf)
  return buf
}

export function generateSigningKeyPair(): SigningKeyPair {
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_keypair(publicKey, secretKey)
  return { publicKey, secretKey }
}

export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  assertKey(seed, 'seed')
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return { publicKey, secretKey }
}

/** A fresh team content key for one epoch: 32 random bytes. */
export function generateEpochKey(): Buffer {
  return randomBytes(KEY_BYTES)
}

/** The AEAD key of one channel in one epoch ("" is the team-level channel). */
export function deriveChannelKey(epochKey: Uint8Array, channel: string): Buffer {
  assertKey(epochKey, 'epoch key')
  return keyedHash(epochKey, LABEL.channel, channel)
}

/** Channel keys per epoch key object: deriving one costs a keyed BLAKE2b per envelope otherwise. */
const channelKeyCache = new WeakMap<Uint8Array, Map<string, Buffer>>()

/** deriveChannelKey, remembered per epoch key object (at most 1,024 channels each). */
export function channelKeyOf(epochKey: Uint8Array, channel: string): Buffer {
  let keys = channelKeyCache.get(epochKey)
  if (!keys) channelKeyCache.set(epochKey, (keys = new Map()))
  let key = keys.get(channel)
  if (!key) {
    key = deriveChannelKey(epochKey, channel)
    if (keys.size < 1024) keys.set(channel, key)
  }
  return key
}

/** The hyperswarm topic of a team: reveals nothing about the team without its key. */
export function teamTopic(teamKey: Uint8Array): Buffer {
  assertKey(teamKey, 'team key')
  return keyedHash(teamKey, LABEL.topic)
}

/** Seal an epoch key so only the holder of `memberPublicKey` (ed25519) can open it. */
export function sealToMember(epochKey: Uint8Array, memberPublicKey: Uint8Array): Buffer {
  assertKey(epochKey, 'epoch key')
  assertKey(memberPublicKey, 'member public key')
  const curvePk = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  sodium.crypto_sign_ed25519_pk_to_curve25519(curvePk, memberPublicKey)
  const sealed = Buffer.alloc(epochKey.byteLength + sodium.crypto_box_SEALBYTES)
  sodium.crypto_box_seal(sealed, epochKey, curvePk)
  return sealed
}

/** Open an epoch key sealed to this key pair; BAD_KEY when it was sealed to someone else. */
export function openSealed(sealed: Uint8Array, keyPair: SigningKeyPair): Buffer {
  if (sealed.byteLength !== KEY_BYTES + sodium.crypto_box_SEALBYTES) {
    throw new ProtocolError('BAD_KEY', 'sealed key has the wrong size')
  }
  const curvePk = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  const curveSk = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES)
  sodium.crypto_sign_ed25519_pk_to_curve25519(curvePk, keyPair.publicKey)
  sodium.crypto_sign_ed25519_sk_to_curve25519(curveSk, keyPair.secretKey)
  const key = Buffer.alloc(KEY_BYTES)
  const ok = sodium.crypto_box_seal_open(key, sealed, curvePk, curveSk)
  sodium.sodium_memzero(curveSk)
  if (!ok) throw new ProtocolError('BAD_KEY', 'sealed key was not sealed to this member')
  return key
}

/** Argon2id cost: libsodium's "interactive" limits (about 0.1 s and 64 MiB). */
export const PASSPHRASE_OPSLIMIT = sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE
export const PASSPHRASE_MEMLIMIT = sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE

/**
 * Derive a 32-byte team key from a passphrase with Argon2id. The salt is fixed by the protocol
 * (every member must derive the same key from the passphrase alone), so a strong passphrase
 * or a raw 32-byte key is what protects a team; docs/protocol.md says so.
 */
export async function derivePassphraseKey(passphrase: string): Promise<Buffer> {
  if (passphrase.length === 0) throw new ProtocolError('BAD_KEY', 'passphrase is empty')
  const salt = Buffer.alloc(sodium.crypto_pwhash_SALTBYTES)
  sodium.crypto_generichash(salt, Buffer.from(LABEL.passphraseSalt))
  const out = Buffer.alloc(KEY_BYTES)
  await new Promise<void>((resolve, reject) => {
    sodium.crypto_pwhash_async(
      out,
      Buffer.from(passphrase, 'utf8'),
      salt,
      PASSPHRASE_OPSLIMIT,
      PASSPHRASE_MEMLIMIT,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
      (err) => (err ? reject(err) : resolve()),
    )
  })
  return out
}

/** An HTTP-only team: everything it needs derives from one shared 32-byte key. */
export interface SharedKeyTeam {
  teamKey: Buffer
  teamId: Buffer
  /** a signing key every holder of the team key shares: authenticity at team level only */
  signer: SigningKeyPair
}

export function teamFromKey(teamKey: Uint8Array): SharedKeyTeam {
  assertKey(teamKey, 'team key')
  return {
    teamKey: Buffer.from(teamKey),
    teamId: keyedHash(teamKey, LABEL.teamId),
    signer: signingKeyPairFromSeed(keyedHash(teamKey, LABEL.sharedSigner)),
  }
}
