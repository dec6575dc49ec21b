// The message write script (hfPostMessage) takes a reply's keys and arguments, and the mention,
// only when there is one: every combination must store the same fields, with and without the
// key proof a counted POST carries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../sdk/api/store.js'
import type { RedisStore } from '../store/redis-store.js'
import { closeStores, newStore } from './helpers.js'

let store: RedisStore
let team: string
let apiKey: string

beforeAll(async () => {
  store = await newStore()
  const signed = await store.signup('post-script', 'alice')
  team = signed.team.id
  apiKey = signed.api_key
})
afterAll(closeStores)

const input = (content: string, mention: string | null = null, thread_id: string | null = null) => ({
  content,
  mention,
  thread_id,
})

/** a remembered principal and a write count, as the POST route hands them to the store */
async function counted(): Promise<{ principal: Principal; count: { windowMs: number; max: number } }> {
  expect(await store.authenticateCounted(apiKey, 60_000)).not.toBeNull()
  const principal = store.peekPrincipal(apiKey)
  if (!principal) throw new Error('key not remembered')
  return { principal, count: { windowMs: 60_000, max: 1000 } }
}

describe.each([
  ['without a key proof', false],
  ['with a key proof', true],
])('hfPostMessage %s', (_name, withProof) => {
  const channel = withProof ? 'proof' : 'plain'
  const post = async (content: string, mention: string | null = null, thread: string | null = null) =>
    store.postMessage(
      team,
      channel,
      'alice',
      input(content, mention, thread),
      withProof ? await counted() : undefined,
    )

  it('stores mention, thread and encryption exactly as given, in every combination', async () => {
    const plain = await post('plain')
    const mentioned = await post('to bob', 'bob')
    const reply = await post('reply', null, plain.id)
    const mentionedReply = await post('reply to bob', 'bob', plain.id)
    const sealed = await post('hf1:sealed', null, mentioned.id)
    expect(plain).toMatchObject({ mention: null, thread_id: null })
    expect(mentioned).toMatchObject({ mention: 'bob', thread_id: null })
    expect(mentionedReply).toMatchObject({ mention: 'bob', thread_id: plain.id })
    expect(sealed).toMatchObject({ encrypted: true, thread_id: mentioned.id })
    for (const m of [plain, mentioned, reply, mentionedReply, sealed]) {
      const { reply_count: _stored, ...rest } = (await store.getMessage(team, channel, m.id)) ?? {}
      const { reply_count: _posted, ...posted } = m
      expect(rest).toEqual(posted)
    }
    expect((await store.getMessage(team, channel, plain.id))?.reply_count).toBe(2)
    expect((await store.getMessage(team, channel, mentioned.id))?.reply_count).toBe(1)
    const thread = await store.readThread(team, channel, plain.id, { after_id: null, limit: 10 })
    expect(thread.replies.map((r) => [r.content, r.mention])).toEqual([
      ['reply', null],
      ['reply to bob', 'bob'],
    ])
    const toBob = await store.readMessages(team, channel, { after_id: '0', limit: 10, mention: 'bob' })
    expect(toBob.messages.map((m) => m.content)).toEqual(['to bob', 'reply to bob'])
  })

  it('refuses a reply to a missing parent and writes nothing', async () => {
    const before = await store.readMessages(team, channel, { after_id: '0', limit: 100 })
    await expect(post('orphan', 'bob', '9999999999999-0')).rejects.toMatchObject({
      code: 'THREAD_PARENT_NOT_FOUND',
    })
    const after = await store.readMessages(team, channel, { after_id: '0', limit: 100 })
    expect(after.messages.length).toBe(before.messages.length)
  })
})

it('a counted write reports its count, and a changed key record writes nothing', async () => {
  const first = await counted()
  await store.postMessage(team, 'count', 'alice', input('one'), first)
  expect(first.count).toMatchObject({ hits: expect.any(Number), ttlMs: expect.any(Number) })
  const second = await counted()
  // the record now says otherwise than the remembered principal (a permission change elsewhere)
  await store.redis.hset(`hf:{${team}}:key:${second.principal.keyId}`, 'permissions', '{"other":"read"}')
  await expect(store.postMessage(team, 'count', 'alice', input('two'), second)).rejects.toMatchObject({
    code: 'INVALID_API_KEY',
  })
  expect(second.count).toMatchObject({ stale: true })
  const page = await store.readMessages(team, 'count', { after_id: '0', limit: 10 })
  expect(page.messages.map((m) => m.content)).toEqual(['one'])
})
