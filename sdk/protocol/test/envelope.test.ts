import { describe, expect, it } from 'vitest'
import {
  decodeContentString,
  decodeEnvelope,
  encodeBody,
  encodeContentString,
  generateEpochKey,
  generateSigningKeyPair,
  messageIdOf,
  OpType,
  openEnvelope,
  ProtocolError,
  parseEnvelope,
  randomBytes,
  sealEnvelope,
  verifyAndOpen,
  verifyEnvelope,
} from '../index.js'

const team = randomBytes(32)
const signer = generateSigningKeyPair()
const epochKey = generateEpochKey()

function seal(overrides: Partial<Parameters<typeof sealEnvelope>[0]> = {}, key = epochKey) {
  return sealEnvelope(
    {
      type: OpType.Message,
      team,
      channel: 'infra',
      epoch: 3,
      mention: 'bob',
      thread_id: '1767225600000-0000000042',
      body: encodeBody({ content: 'EKS cluster ready' }),
      ...overrides,
    },
    { epochKey: key, signer },
  )
}

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof ProtocolError) return err.code
    throw err
  }
  return 'NO_ERROR'
}

describe('envelope', () => {
  it('round-trips header and body through bytes', () => {
    const sealed = seal()
    const { envelope, body } = verifyAndOpen(sealed.bytes, epochKey)
    expect(JSON.parse(body.toString())).toEqual({ content: 'EKS cluster ready' })
    expect(envelope.header).toMatchObject({ version: 1, type: OpType.Message, channel: 'infra', epoch: 3 })
    expect(envelope.header.mention).toBe('bob')
    expect(envelope.header.author.equals(signer.publicKey)).toBe(true)
    expect(envelope.id.equals(sealed.id)).toBe(true)
  })

  it('gives the same operation the same id on every path, and different operations different ids', () => {
    const a = seal()
    expect(decodeEnvelope(Buffer.from(a.bytes)).id.equals(a.id)).toBe(true)
    expect(messageIdOf(decodeEnvelope(a.bytes))).toBe(messageIdOf(a))
    expect(seal().id.equals(a.id)).toBe(false) // fresh nonce
    expect(messageIdOf(a)).toMatch(/^\d{13}-\d{10}$/)
  })

  it('keeps the plaintext out of the bytes', () => {
    expect(seal().bytes.includes(Buffer.from('EKS cluster'))).toBe(false)
  })

  it('detects tampering with any single byte (header, nonce, ciphertext or signature)', () => {
    const sealed = seal({ body: encodeBody({ content: 'x' }) })
    for (let i = 0; i < sealed.bytes.byteLength; i++) {
      const tampered = Buffer.from(sealed.bytes)
      tampered[i] = tampered[i]! ^ 0x01
      const code = codeOf(() => verifyAndOpen(tampered, epochKey))
      expect(code, `byte ${i} of ${sealed.bytes.byteLength}`).not.toBe('NO_ERROR')
    }
  })

  it('refuses a body re-encrypted by someone who is not the author', () => {
    const sealed = seal()
    const forger = generateSigningKeyPair()
    const forged = sealEnvelope(
      { type: OpType.Message, team, channel: 'infra', epoch: 3, body: encodeBody({ content: 'evil' }) },
      { epochKey, signer: forger },
    )
    // Splice the forger's signature onto the author's header: the signature no longer matches.
    const spliced = Buffer.concat([sealed.bytes.subarray(0, -64), forged.signature])
    expect(codeOf(() => verifyEnvelope(decodeEnvelope(spliced)))).toBe('BAD_SIGNATURE')
  })

  it("fails cleanly with another team's key or an older epoch's key", () => {
    const sealed = seal()
    expect(codeOf(() => openEnvelope(decodeEnvelope(sealed.bytes), generateEpochKey()))).toBe(
      'DECRYPT_FAILED',
    )
    const olderEpochKey = generateEpochKey()
    const old = seal({ epoch: 2 }, olderEpochKey)
    expect(codeOf(() => openEnvelope(decodeEnvelope(old.bytes), epochKey))).toBe('DECRYPT_FAILED')
    expect(openEnvelope(decodeEnvelope(old.bytes), olderEpochKey).byteLength).toBeGreaterThan(0)
  })

  it('cannot be moved to another channel: the channel is bound as associated data and in the key', () => {
    const sealed = seal()
    const moved = sealEnvelope(
      { type: OpType.Message, team, channel: 'other', epoch: 3, body: Buffer.from('x') },
      { epochKey, signer },
    )
    const env = decodeEnvelope(sealed.bytes)
    expect(
      codeOf(() => openEnvelope({ ...env, header: { ...env.header, channel: 'other' } }, epochKey)),
    ).toBe('DECRYPT_FAILED')
    expect(moved.header.channel).toBe('other')
  })

  it('reports truncation at every length as TRUNCATED or MALFORMED, never a crash', () => {
    const sealed = seal()
    for (let len = 0; len < sealed.bytes.byteLength; len++) {
      const code = codeOf(() => decodeEnvelope(sealed.bytes.subarray(0, len)))
      expect(['TRUNCATED', 'MALFORMED'], `length ${len}`).toContain(code)
    }
    expect(codeOf(() => decodeEnvelope(Buffer.concat([sealed.bytes, Buffer.from([0])])))).toBe('MALFORMED')
  })

  it('refuses an unknown version before reading further', () => {
    const bytes = Buffer.from(seal().bytes)
    bytes[0] = 2
    expect(codeOf(() => decodeEnvelope(bytes))).toBe('UNKNOWN_VERSION')
  })

  it('refuses an unknown operation type', () => {
    const bytes = Buffer.from(seal().bytes)
    bytes[1] = 99
    expect(codeOf(() => decodeEnvelope(bytes))).toBe('MALFORMED')
  })

  it('travels inside a content string', () => {
    const sealed = seal()
    const text = encodeContentString(sealed)
    expect(text.startsWith('hf1:')).toBe(true)
    expect(decodeContentString(text)?.id.equals(sealed.id)).toBe(true)
    expect(decodeContentString('plain text')).toBeNull()
    expect(codeOf(() => decodeContentString('hf1:AQ'))).toBe('TRUNCATED')
  })

  it('parses without hashing or copying: the same parts as decodeEnvelope, views into the bytes', () => {
    const sealed = seal()
    const parts = parseEnvelope(sealed.bytes)
    const decoded = decodeEnvelope(sealed.bytes)
    expect(parts.header).toEqual(decoded.header)
    expect(parts.headerBytes.equals(decoded.headerBytes)).toBe(true)
    expect(parts.ciphertext.equals(decoded.ciphertext)).toBe(true)
    expect(parts.signature.equals(decoded.signature)).toBe(true)
    expect(parts.ciphertext.buffer).toBe(sealed.bytes.buffer)
    expect(JSON.parse(openEnvelope(parts, epochKey).toString())).toEqual({ content: 'EKS cluster ready' })
    for (let len = 0; len < sealed.bytes.byteLength; len++) {
      const code = codeOf(() => parseEnvelope(sealed.bytes.subarray(0, len)))
      expect(['TRUNCATED', 'MALFORMED'], `length ${len}`).toContain(code)
    }
  })
})
