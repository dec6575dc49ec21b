// RedisStore: teams, API keys (hashed, constant-time, revocable at once), limits, key layout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeyChange } from '../../sdk/api/store.js'
import type { RedisStore } from '../store/redis-store.js'
import { hashSecret } from '../store/teams-keys.js'
import { closeStores, newStore, waitFor } from './helpers.js'

let store: RedisStore
let other: RedisStore

beforeAll(async () => {
  store = await newStore()
  other = await newStore()
})
afterAll(closeStores)

describe('teams and keys', () => {
  it('signs up a team with an admin key that authenticates', async () => {
    const { team, api_key } = await store.signup('acme', 'alice')
    expect(team.name).toBe('acme')
    expect(api_key).toMatch(/^hf_[A-Za-z0-9_-]{32}$/)
    const who = await store.authenticate(api_key)
    expect(who).toMatchObject({ teamId: team.id, sender: 'alice', permissions: { '*': 'admin' } })
    expect(who?.keyId).toMatch(/^[0-9a-f]{16}$/)
    expect(await store.authenticate(`${api_key}x`)).toBeNull()
    expect(await store.authenticate('')).toBeNull()
    expect(await store.authenticate('x'.repeat(10_000))).toBeNull()
  })

  it('stores only the SHA-256 of a secret, never the secret', async () => {
    const { team, api_key } = await store.signup('hashed', 'alice')
    const names = await store.redis.keys(`hf:{${team.id}}:*`)
    for (const name of names) {
      const type = await store.redis.type(name)
      const dump = type === 'hash' ? JSON.stringify(await store.redis.hgetall(name)) : ''
      expect(dump).not.toContain(api_key)
    }
    const lookup = await store.redis.hgetall(`hf:apikey:${hashSecret(api_key)}`)
    expect(lookup).toMatchObject({ t: team.id, s: 'alice', h: hashSecret(api_key) })
    expect(JSON.stringify(lookup)).not.toContain(api_key)
    expect(await store.redis.exists(`hf:apikey:${api_key}`)).toBe(0)
  })

  it('keeps every key of a team under its hash tag', async () => {
    const { team, api_key } = await store.signup('tagged', 'alice')
    const who = await store.authenticate(api_key)
    await store.postMessage(team.id, 'general', 'alice', { content: 'hi', mention: null, thread_id: null })
    await store.setStatus(team.id, 'general', 'k', 'v', 'alice')
    await store.ack(team.id, 'general', 'alice', '0-1')
    await store.recordAudit(team.id, {
      key_hash: 'x',
      sender_name: 'a',
      action: 'GET /x',
      channel: '*',
      result: 'denied',
    })
    expect(who).not.toBeNull()
    const names = await store.redis.keys(`*${team.id}*`)
    expect(names.length).toBeGreaterThan(5)
    for (const name of names) expect(name.startsWith(`hf:{${team.id}}:`)).toBe(true)
  })

  it('defaults to {"*": "admin"}; an explicit empty map grants nothing', async () => {
    const { team } = await store.signup('perms', 'alice')
    const dflt = await store.createKey(team.id, 'bob', undefined)
    expect(dflt.permissions).toBeUndefined()
    expect((await store.authenticate(dflt.api_key))?.permissions).toEqual({ '*': 'admin' })
    const none = await store.createKey(team.id, 'carol', {})
    expect(none.permissions).toEqual({})
    expect((await store.authenticate(none.api_key))?.permissions).toEqual({})
  })

  it('lists key ids (never secrets) and revokes at once across instances', async () => {
    const { team } = await store.signup('revoke', 'alice')
    const bob = await store.createKey(team.id, 'bob', { general: 'write' })
    const list = await store.listKeys(team.id)
    expect(list.map((k) => k.sender)).toEqual(['alice', 'bob'])
    const bobInfo = list.find((k) => k.sender === 'bob')!
    expect(bobInfo.key).toBe(bob.key_id)
    expect(JSON.stringify(list)).not.toContain(bob.api_key)
    expect(bobInfo).toMatchObject({ revoked: false, permissions: { general: 'write' } })

    const seen: KeyChange[] = []
    const stop = other.watchKeys(team.id, (c) => seen.push(c))
    await waitFor(() => seen.some((c) => c.keyId === bob.key_id), 5_000, 'initial key state')
    seen.length = 0

    expect(await other.authenticate(bob.api_key)).not.toBeNull()
    await store.updateKeyPermissions(team.id, bob.key_id!, { general: 'read' })
    expect((await other.authenticate(bob.api_key))?.permissions).toEqual({ general: 'read' })
    await store.revokeKey(team.id, bob.key_id!)
    expect(await other.authenticate(bob.api_key)).toBeNull()
    await waitFor(() => seen.length >= 2, 5_000, 'key changes')
    expect(seen).toEqual([
      { type: 'permissions', keyId: bob.key_id, permissions: { general: 'read' } },
      { type: 'revoked', keyId: bob.key_id },
    ])
    stop()
    expect((await store.listKeys(team.id)).find((k) => k.key === bob.key_id)?.revoked).toBe(true)
    await expect(store.updateKeyPermissions(team.id, bob.key_id!, {})).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    })
  })

  it("refuses unknown and other teams' key ids", async () => {
    const a = await store.signup('a', 'alice')
    const b = await store.signup('b', 'bob')
    const bKey = (await store.listKeys(b.team.id))[0]!.key
    await expect(store.revokeKey(a.team.id, bKey)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' })
    await expect(store.revokeKey(a.team.id, 'nope')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' })
    expect(await store.authenticate(b.api_key)).not.toBeNull()
  })

  it('limits active keys per team', async () => {
    const small = await newStore({ keysPerTeam: 3 })
    const { team } = await small.signup('small', 'alice')
    const k2 = await small.createKey(team.id, 'b', undefined)
    await small.createKey(team.id, 'c', undefined)
    await expect(small.createKey(team.id, 'd', undefined)).rejects.toMatchObject({
      code: 'KEY_LIMIT_REACHED',
    })
    await small.revokeKey(team.id, k2.key_id!)
    await small.createKey(team.id, 'd', undefined)
  })

  it('keeps the encryption_required setting per team', async () => {
    const { team } = await store.signup('enc', 'alice')
    expect(await store.getTeamSettings(team.id)).toEqual({ encryption_required: false })
    expect(await store.updateTeamSettings(team.id, { encryption_required: true })).toEqual({
      encryption_required: true,
    })
  })
})
