// The subset of sodium-native (libsodium bindings) this project calls.
declare module 'sodium-native' {
  type Buf = Buffer | Uint8Array
  const sodium: {
    crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number
    crypto_aead_xchacha20poly1305_ietf_ABYTES: number
    crypto_aead_xchacha20poly1305_ietf_encrypt(
      c: Buf,
      m: Buf,
      ad: Buf | null,
      nsec: null,
      npub: Buf,
      k: Buf,
    ): number
    crypto_aead_xchacha20poly1305_ietf_decrypt(
      m: Buf,
      nsec: null,
      c: Buf,
      ad: Buf | null,
      npub: Buf,
      k: Buf,
    ): number
    crypto_sign_PUBLICKEYBYTES: number
    crypto_sign_SECRETKEYBYTES: number
    crypto_sign_SEEDBYTES: number
    crypto_sign_BYTES: number
    crypto_sign_keypair(pk: Buf, sk: Buf): void
    crypto_sign_seed_keypair(pk: Buf, sk: Buf, seed: Buf): void
    crypto_sign_detached(sig: Buf, m: Buf, sk: Buf): void
    crypto_sign_verify_detached(sig: Buf, m: Buf, pk: Buf): boolean
    crypto_sign_ed25519_pk_to_curve25519(curvePk: Buf, edPk: Buf): void
    crypto_sign_ed25519_sk_to_curve25519(curveSk: Buf, edSk: Buf): void
    crypto_box_PUBLICKEYBYTES: number
    crypto_box_SECRETKEYBYTES: number
    crypto_box_SEALBYTES: number
    crypto_box_seal(c: Buf, m: Buf, pk: Buf): void
    crypto_box_seal_open(m: Buf, c: Buf, pk: Buf, sk: Buf): boolean
    crypto_generichash_BYTES: number
    crypto_generichash(out: Buf, input: Buf, key?: Buf): void
    crypto_generichash_batch(out: Buf, inputs: Buf[], key?: Buf): void
    crypto_pwhash_SALTBYTES: number
    crypto_pwhash_OPSLIMIT_INTERACTIVE: number
    crypto_pwhash_MEMLIMIT_INTERACTIVE: number
    crypto_pwhash_ALG_ARGON2ID13: number
    crypto_pwhash(out: Buf, passwd: Buf, salt: Buf, opslimit: number, memlimit: number, alg: number): void
    crypto_pwhash_async(
      out: Buf,
      passwd: Buf,
      salt: Buf,
      opslimit: number,
      memlimit: number,
      alg: number,
      cb: (err: Error | null) => void,
    ): void
    randombytes_buf(buf: Buf): void
    sodium_memcmp(a: Buf, b: Buf): boolean
    sodium_memzero(buf: Buf): void
  }
  export default sodium
}
