// Envelope throughput for 1 KiB messages, against the raw libsodium cost measured in this run:
// the baseline is one XChaCha20-Poly1305 seal plus one Ed25519 sign (or open plus verify) of the
// same bytes, which is the least any signed-and-encrypted envelope must cost.
// Target: the full envelope path runs at >= 0.5x the baseline rate.
import sodium from 'sodium-native'
import {
  decodeEnvelope,
  encodeBody,
  generateEpochKey,
  generateSigningKeyPair,
  OpType,
  openEnvelope,
  randomBytes,
  sealEnvelope,
  verifyEnvelope,
} from '../../sdk/protocol/index.js'

const DURATION_MS = Number(process.env.BENCH_MS ?? 1500)
const body = encodeBody({ content: 'x'.repeat(1024 - 14) }) // 1 KiB of JSON body
const team = randomBytes(32)
const signer = generateSigningKeyPair()
const epochKey = generateEpochKey()

function rate(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn() // warm up
  const start = process.hrtime.bigint()
  let n = 0
  let elapsed = 0
  while (elapsed < DURATION_MS) {
    for (let i = 0; i < 100; i++) fn()
    n += 100
    elapsed = Number(process.hrtime.bigint() - start) / 1e6
  }
  return (n / elapsed) * 1000
}

// Baseline: raw AEAD + signature over the same bytes, no encoding.
const key = randomBytes(32)
const nonce = randomBytes(24)
const ad = randomBytes(120)
const cipher = Buffer.alloc(body.byteLength + 16)
const plain = Buffer.alloc(body.byteLength)
const sig = Buffer.alloc(64)
sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(cipher, body, ad, null, nonce, key)
sodium.crypto_sign_detached(sig, cipher, signer.secretKey)

const rawSeal = rate(() => {
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(cipher, body, ad, null, nonce, key)
  sodium.crypto_sign_detached(sig, cipher, signer.secretKey)
})
const rawOpen = rate(() => {
  sodium.crypto_sign_verify_detached(sig, cipher, signer.publicKey)
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(plain, null, cipher, ad, nonce, key)
})
const aeadOnly = rate(() =>
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(cipher, body, ad, null, nonce, key),
)

const sample = sealEnvelope(
  { type: OpType.Message, team, channel: 'infra', epoch: 0, body },
  { epochKey, signer },
)
const envSeal = rate(() => {
  sealEnvelope(
    { type: OpType.Message, team, channel: 'infra', epoch: 0, mention: 'bob', body },
    { epochKey, signer },
  )
})
const envOpen = rate(() => {
  const envelope = decodeEnvelope(sample.bytes)
  verifyEnvelope(envelope)
  openEnvelope(envelope, epochKey)
})

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`
const rows = [
  ['raw AEAD seal only', fmt(aeadOnly), ''],
  ['baseline seal+sign (raw)', fmt(rawSeal), ''],
  ['envelope seal+sign', fmt(envSeal), `${(envSeal / rawSeal).toFixed(2)}x baseline`],
  ['baseline verify+open (raw)', fmt(rawOpen), ''],
  ['envelope decode+verify+open', fmt(envOpen), `${(envOpen / rawOpen).toFixed(2)}x baseline`],
]
console.log(`bench/protocol: 1 KiB messages, ${DURATION_MS} ms per measurement`)
for (const [name, value, ratio] of rows) console.log(`  ${name!.padEnd(30)} ${value!.padStart(12)}  ${ratio}`)
const ok = envSeal / rawSeal >= 0.5 && envOpen / rawOpen >= 0.5
console.log(`  target >= 0.50x baseline: ${ok ? 'met' : 'NOT met'}`)
