// Node-sync storage: once per envelope id, bytes in the log entry, spaces per relay team bounded.
import { afterAll, describe, expect, it } from 'vitest'
import {
  generateEpochKey,
  generateSigningKeyPair,
  OpType,
  randomBytes,
  sealEnvelope,
} from '../../sdk/protocol/index.js'
import { keys } from '../store/keys.js'
import { decodeForRelay } from '../store/sync.js'
import { closeStores, newStore } from './helpers.js'

afterAll(closeStores)

const signing = { epochKey: generateEpochKey(), signer: generateSigningKeyPair() }
const seal = (team: Buffer, text: string) =>
  sealEnvelope({ type: OpType.Message, team, channel: 'c', epoch: 0, body: Buffer.from(text) }, signing)

describe('sync storage', () => {
  it('stores an envelope once, serves its exact bytes, and bounds the spaces of a relay team', async () => {
    const store = await newStore({ syncSpacesPerTeam: 2 })
    const t = (await store.signup('sync', 'alice')).team.id
    const [s1, s2, s3] = [randomBytes(32), randomBytes(32), randomBytes(32)]
    const e = seal(s1, 'hello')
    const first = await store.pushEnvelope(t, decodeForRelay(e.bytes))
    expect(first.cursor).toMatch(/^\d+-\d+$/)
    expect((await store.pushEnvelope(t, decodeForRelay(Buffer.from(e.bytes)))).cursor).toBeNull()
    const page = await store.pullEnvelopes(t, s1.toString('hex'), null, 10)
    expect(page.envelopes).toHaveLength(1)
    expect(Buffer.from(page.envelopes[0]!.data, 'base64').equals(e.bytes)).toBe(true)
    expect(await store.redis.ttl(keys.envelope(t, first.id))).toBeGreaterThan(0)

    await store.pushEnvelope(t, decodeForRelay(seal(s2, 'x').bytes))
    await expect(store.pushEnvelope(t, decodeForRelay(seal(s3, 'y').bytes))).rejects.toMatchObject({
      code: 'SYNC_LIMIT_REACHED',
      status: 429,
    })
    // an existing space still takes more
    await store.pushEnvelope(t, decodeForRelay(seal(s1, 'more').bytes))
    expect((await store.pullEnvelopes(t, s1.toString('hex'), '0', 10)).envelopes).toHaveLength(2)
  })

  it('refuses bytes that are not an envelope', () => {
    expect(() => decodeForRelay(Buffer.from('not an envelope'))).toThrow(
      expect.objectContaining({ code: 'INVALID_FIELD' }),
    )
  })
})
