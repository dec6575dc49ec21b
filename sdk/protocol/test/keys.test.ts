import { describe, expect, it } from 'vitest'
import {
  deriveChannelKey,
  derivePassphraseKey,
  generateEpochKey,
  generateSigningKeyPair,
  openSealed,
  ProtocolError,
  sealToMember,
  teamFromKey,
  teamTopic,
} from '../index.js'

describe('key schedule', () => {
  it('seals an epoch key that only its member can open', () => {
    const alice = generateSigningKeyPair()
    const mallory = generateSigningKeyPair()
    const epochKey = generateEpochKey()
    const sealed = sealToMember(epochKey, alice.publicKey)
    expect(openSealed(sealed, alice).equals(epochKey)).toBe(true)
    expect(() => openSealed(sealed, mallory)).toThrow(ProtocolError)
    expect(() => openSealed(sealed.subarray(1), alice)).toThrow(/wrong size/)
  })

  it('derives distinct channel keys and topics from one epoch key', () => {
    const key = generateEpochKey()
    expect(deriveChannelKey(key, 'a').equals(deriveChannelKey(key, 'b'))).toBe(false)
    expect(deriveChannelKey(key, 'a').equals(deriveChannelKey(key, 'a'))).toBe(true)
    expect(teamTopic(key).equals(deriveChannelKey(key, ''))).toBe(false)
    expect(() => deriveChannelKey(Buffer.alloc(16), 'a')).toThrow(/32 bytes/)
  })

  it('derives the same team from the same passphrase and another from another', async () => {
    const [a, b, c] = await Promise.all([
      derivePassphraseKey('team-secret'),
      derivePassphraseKey('team-secret'),
      derivePassphraseKey('team-secret!'),
    ])
    expect(a.equals(b)).toBe(true)
    expect(a.equals(c)).toBe(false)
    const team = teamFromKey(a)
    expect(team.teamId.equals(teamFromKey(b).teamId)).toBe(true)
    expect(team.signer.publicKey.equals(teamFromKey(c).signer.publicKey)).toBe(false)
    await expect(derivePassphraseKey('')).rejects.toThrow(ProtocolError)
  })
})
