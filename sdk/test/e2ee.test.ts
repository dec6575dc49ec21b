// The client's encryption seam on its own: what it seals carries no plaintext, opens only with the
// team secret and only where it was written, and the seed's "e2ee:" strings stay readable.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Message } from '../api/types.js'
import { RecordCodec } from '../client/codec.js'
import {
  decodeContentString,
  encodeBody,
  encodeContentString,
  generateSigningKeyPair,
  OpType,
  sealEnvelope,
} from '../protocol/index.js'
import { seedEncrypt } from './support/seed-e2ee.js'

function message(channel: string, content: string): Message {
  return {
    id: '1-0',
    channel,
    sender: 'a',
    content,
    mention: null,
    thread_id: null,
    reply_count: 0,
    created_at: new Date(0).toISOString(),
  }
}

describe('client E2EE', () => {
  const team = new RecordCodec('correct horse battery staple')
  const stranger = new RecordCodec('a different passphrase')

  it('seals message text into an hf1: envelope that holds no plaintext and opens with the team secret', async () => {
    const sealed = await team.sealMessage('ops', 'deploy at 5pm', { mention: 'bob' })
    expect(sealed.startsWith('hf1:')).toBe(true)
    expect(sealed).not.toContain('deploy')
    expect(Buffer.from(sealed.slice(4), 'base64url').toString('latin1')).not.toContain('deploy at 5pm')
    const opened = await team.message(message('ops', sealed))
    expect(opened.content).toBe('deploy at 5pm')
    expect(opened.encrypted).toBe(true)
    expect(opened.decrypt_error).toBeUndefined()
  })

  it('flags, never throws, a message sealed under another secret', async () => {
    const sealed = await stranger.sealMessage('ops', 'secret plan', {})
    const opened = await team.message(message('ops', sealed))
    expect(opened.encrypted).toBe(true)
    expect(opened.decrypt_error).toMatch(/decrypt/)
    expect(opened.content).toBe(sealed)
  })

  it('refuses an envelope replayed in another channel', async () => {
    const sealed = await team.sealMessage('ops', 'only for ops', {})
    const opened = await team.message(message('general', sealed))
    expect(opened.decrypt_error).toMatch(/another channel/)
    expect(opened.content).toBe(sealed)
  })

  it('flags garbage after the prefix instead of failing the read', async () => {
    const opened = await team.message(message('ops', 'hf1:AAAA'))
    expect(opened.encrypted).toBe(true)
    expect(opened.decrypt_error).toBeTruthy()
  })

  it('passes plaintext through unchanged, as the seed did', async () => {
    const plain = message('ops', 'hello')
    expect(await team.message(plain)).toEqual(plain)
  })

  it('binds a status value to its key', async () => {
    const sealed = await team.sealStatus('ops', 'build', 'green')
    expect(sealed).not.toContain('green')
    const status = { channel: 'ops', key: 'build', value: sealed, updated_by: 'a', updated_at: '' }
    expect((await team.status(status)).value).toBe('green')
    const moved = await team.status({ ...status, key: 'deploy' })
    expect(moved.decrypt_error).toMatch(/another key/)
  })

  it('accepts a raw 32-byte key as bytes or as 64 hex characters, interchangeably', async () => {
    const raw = randomBytes(32)
    const sealed = await new RecordCodec(raw).sealMessage('ops', 'raw key', {})
    const opened = await new RecordCodec(raw.toString('hex')).message(message('ops', sealed))
    expect(opened.content).toBe('raw key')
    // A key of the wrong size fails when the client is made, not on its first post.
    expect(() => new RecordCodec(new Uint8Array(16))).toThrow(/32 bytes/)
    expect(() => new RecordCodec({ epochs: { 0: 'abc' } })).toThrow(/64 hex/)
    expect(() => new RecordCodec({ epochs: {} })).toThrow(/no key/)
  })

  it("opens a node's envelopes with a keyring of epoch keys, each with its own epoch's key", async () => {
    const [epoch0, epoch1] = [randomBytes(32), randomBytes(32)]
    // As a node writes a message: its own team id and device key, epoch 1, body {content, sender}.
    const fromNode = encodeContentString(
      sealEnvelope(
        {
          type: OpType.Message,
          team: randomBytes(32),
          channel: 'ops',
          epoch: 1,
          body: encodeBody({ content: 'written on a node', sender: 'alice' }),
        },
        { epochKey: epoch1, signer: generateSigningKeyPair() },
      ),
    )
    const ring = new RecordCodec({ epochs: { 0: epoch0, 1: epoch1.toString('hex') } })
    expect(await ring.message(message('ops', fromNode))).toMatchObject({
      content: 'written on a node',
      encrypted: true,
    })
    const old = await new RecordCodec({ epochs: { 0: epoch0 } }).message(message('ops', fromNode))
    expect(old.decrypt_error).toMatch(/no key for epoch 1/)

    // What a keyring seals goes under the newest epoch, which an older keyring cannot open.
    const sealed = await ring.sealMessage('ops', 'from the sdk', {})
    expect(decodeContentString(sealed)!.header.epoch).toBe(1)
    expect((await ring.message(message('ops', sealed))).content).toBe('from the sdk')
  })

  it("reads the seed's e2ee: strings, and flags them under a wrong secret", async () => {
    const legacy = seedEncrypt('correct horse battery staple', 'old history ✓')
    const opened = await team.message(message('ops', legacy))
    expect(opened).toMatchObject({ content: 'old history ✓', encrypted: true })
    const wrong = await stranger.message(message('ops', legacy))
    expect(wrong).toMatchObject({ content: legacy, encrypted: true })
    expect(wrong.decrypt_error).toMatch(/does not decrypt/)
  })

  it('marks encrypted content as such for a client without a secret, leaving it untouched', async () => {
    const sealed = await team.sealMessage('ops', 'x', {})
    const opened = await new RecordCodec(undefined).message(message('ops', sealed))
    expect(opened).toMatchObject({ content: sealed, encrypted: true })
  })
})
