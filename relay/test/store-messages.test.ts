// RedisStore: channels, messages, threads, deletes, unread, acks, status, audit, ciphertext.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RedisStore } from '../store/redis-store.js'
import { closeStores, newStore } from './helpers.js'

let store: RedisStore
let team: string

const msg = (content: string, extra: { mention?: string; thread_id?: string } = {}) => ({
  content,
  mention: extra.mention ?? null,
  thread_id: extra.thread_id ?? null,
})

beforeAll(async () => {
  store = await newStore()
  team = (await store.signup('msgs', 'alice')).team.id
})
afterAll(closeStores)

describe('channels', () => {
  it('creates once, lists sorted with counts, deletes every key', async () => {
    const first = await store.createChannel(team, 'ch-b', 'about b')
    expect(first.created).toBe(true)
    expect(first.channel).toMatchObject({ name: 'ch-b', description: 'about b' })
    const again = await store.createChannel(team, 'ch-b', null)
    expect(again.created).toBe(false)
    expect(again.channel.description).toBe('about b')
    await store.postMessage(team, 'ch-a', 'alice', msg('implicit channel'))
    const p = await store.postMessage(team, 'ch-a', 'alice', msg('parent'))
    await store.postMessage(team, 'ch-a', 'bob', msg('reply', { thread_id: p.id }))
    const list = await store.listChannels(team)
    expect(list.map((c) => [c.name, c.message_count])).toEqual([
      ['ch-a', 3],
      ['ch-b', 0],
    ])
    await store.deleteChannel(team, 'ch-a')
    expect(await store.getChannel(team, 'ch-a')).toBeNull()
    expect(await store.redis.keys(`hf:{${team}}:c:ch-a:*`)).toEqual([])
    await expect(store.deleteChannel(team, 'ch-a')).rejects.toMatchObject({ code: 'CHANNEL_NOT_FOUND' })
  })

  it('limits channels per team, counting implicit ones', async () => {
    const small = await newStore({ channelsPerTeam: 2 })
    const t = (await small.signup('few', 'alice')).team.id
    await small.createChannel(t, 'one', null)
    await small.postMessage(t, 'two', 'alice', msg('x'))
    await expect(small.createChannel(t, 'three', null)).rejects.toMatchObject({
      code: 'CHANNEL_LIMIT_REACHED',
    })
    await expect(small.postMessage(t, 'three', 'alice', msg('x'))).rejects.toMatchObject({
      code: 'CHANNEL_LIMIT_REACHED',
    })
    await expect(small.setStatus(t, 'three', 'k', 'v', 'alice')).rejects.toMatchObject({
      code: 'CHANNEL_LIMIT_REACHED',
    })
    expect((await small.createChannel(t, 'one', null)).created).toBe(false)
  })
})

describe('messages', () => {
  it('pages by exclusive cursor; no cursor reads the latest, oldest first', async () => {
    const ids: string[] = []
    for (let i = 0; i < 7; i++) ids.push((await store.postMessage(team, 'paging', 'alice', msg(`m${i}`))).id)
    for (const id of ids) expect(id).toMatch(/^\d+-\d+$/)
    const latest = await store.readMessages(team, 'paging', { after_id: null, limit: 3 })
    expect(latest.messages.map((m) => m.content)).toEqual(['m4', 'm5', 'm6'])
    expect(latest.next_after_id).toBe(ids[6])
    expect(latest.has_more).toBe(true)
    for (const start of ['0', '0-0']) {
      const page = await store.readMessages(team, 'paging', { after_id: start, limit: 5 })
      expect(page.messages.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
      expect(page).toMatchObject({ has_more: true, next_after_id: ids[4], channel: 'paging' })
    }
    const rest = await store.readMessages(team, 'paging', { after_id: ids[4]!, limit: 5 })
    expect(rest.messages.map((m) => m.content)).toEqual(['m5', 'm6'])
    expect(rest.has_more).toBe(false)
    const none = await store.readMessages(team, 'paging', { after_id: ids[6]!, limit: 5 })
    expect(none).toMatchObject({ messages: [], next_after_id: ids[6], has_more: false })
    for (const bad of ['abc', '1-', '-1', '1-2-3', '99999999999999999999999-0']) {
      await expect(store.readMessages(team, 'paging', { after_id: bad, limit: 5 })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      })
    }
    expect((await store.readMessages(team, 'nothing-here', { after_id: null, limit: 5 })).messages).toEqual(
      [],
    )
  })

  it('returns the seed shape and filters by mention and sender', async () => {
    const m = await store.postMessage(team, 'filters', 'alice', msg('to bob', { mention: 'bob' }))
    expect(m).toEqual({
      id: m.id,
      channel: 'filters',
      sender: 'alice',
      content: 'to bob',
      mention: 'bob',
      thread_id: null,
      reply_count: 0,
      created_at: m.created_at,
    })
    expect(new Date(m.created_at).toISOString()).toBe(m.created_at)
    await store.postMessage(team, 'filters', 'bob', msg('to carol', { mention: 'carol' }))
    await store.postMessage(team, 'filters', 'bob', msg('plain'))
    const toBob = await store.readMessages(team, 'filters', { after_id: null, limit: 10, mention: 'bob' })
    expect(toBob.messages.map((x) => x.content)).toEqual(['to bob'])
    const fromBob = await store.readMessages(team, 'filters', { after_id: '0', limit: 10, sender: 'bob' })
    expect(fromBob.messages.map((x) => x.content)).toEqual(['to carol', 'plain'])
    expect(await store.getMessage(team, 'filters', m.id)).toEqual(m)
  })

  it('indexes replies per parent with a reply count, and deletes fix it', async () => {
    const parent = await store.postMessage(team, 'threads', 'alice', msg('parent'))
    const r1 = await store.postMessage(team, 'threads', 'bob', msg('r1', { thread_id: parent.id }))
    const r2 = await store.postMessage(team, 'threads', 'carol', msg('r2', { thread_id: parent.id }))
    expect(r1.thread_id).toBe(parent.id)
    await expect(
      store.postMessage(team, 'threads', 'bob', msg('orphan', { thread_id: '1-1' })),
    ).rejects.toMatchObject({ code: 'THREAD_PARENT_NOT_FOUND' })
    let thread = await store.readThread(team, 'threads', parent.id, { after_id: null, limit: 1 })
    expect(thread.parent.reply_count).toBe(2)
    expect(thread.replies.map((r) => r.content)).toEqual(['r1'])
    expect(thread.has_more).toBe(true)
    thread = await store.readThread(team, 'threads', parent.id, { after_id: thread.next_after_id, limit: 5 })
    expect(thread.replies.map((r) => r.content)).toEqual(['r2'])
    const byFilter = await store.readMessages(team, 'threads', {
      after_id: null,
      limit: 5,
      thread_id: parent.id,
    })
    expect(byFilter.messages.map((r) => r.id)).toEqual([r1.id, r2.id])
    const top = await store.readMessages(team, 'threads', { after_id: null, limit: 5 })
    expect(top.messages.find((x) => x.id === parent.id)?.reply_count).toBe(2)

    await expect(store.deleteMessage(team, 'threads', r1.id, 'alice')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    await store.deleteMessage(team, 'threads', r1.id, 'bob')
    await store.deleteMessage(team, 'threads', r2.id, 'alice', { asAdmin: true })
    await expect(
      store.deleteMessage(team, 'threads', r2.id, 'alice', { asAdmin: true }),
    ).rejects.toMatchObject({
      code: 'MESSAGE_NOT_FOUND',
    })
    thread = await store.readThread(team, 'threads', parent.id, { after_id: null, limit: 5 })
    expect(thread.replies).toEqual([])
    expect(thread.parent.reply_count).toBe(0)
    expect(await store.getMessage(team, 'threads', r1.id)).toBeNull()
    await store.deleteMessage(team, 'threads', parent.id, 'alice')
    await expect(
      store.readThread(team, 'threads', parent.id, { after_id: null, limit: 5 }),
    ).rejects.toMatchObject({
      code: 'MESSAGE_NOT_FOUND',
    })
  })

  it("counts unread after the ack, without the reader's own messages", async () => {
    const a1 = await store.postMessage(team, 'unread', 'alice', msg('a1'))
    await store.postMessage(team, 'unread', 'bob', msg('b1'))
    await store.postMessage(team, 'unread', 'bob', msg('b2'))
    const before = await store.readUnread(team, 'unread', 'alice', 10)
    expect(before.messages.map((m) => m.content)).toEqual(['b1', 'b2'])
    const ack = await store.ack(team, 'unread', 'alice', before.messages[0]!.id)
    expect(ack).toMatchObject({ channel: 'unread', sender: 'alice', last_read_id: before.messages[0]!.id })
    expect((await store.readUnread(team, 'unread', 'alice', 10)).messages.map((m) => m.content)).toEqual([
      'b2',
    ])
    // an older ack never moves the watermark back
    const back = await store.ack(team, 'unread', 'alice', a1.id)
    expect(back.last_read_id).toBe(before.messages[0]!.id)
    await store.ack(team, 'unread', 'bob', '0-0')
    expect((await store.listAcks(team, 'unread')).map((a) => a.sender)).toEqual(['alice', 'bob'])
  })

  it('stores content exactly as sent and flags ciphertext', async () => {
    const cipher = 'e2ee:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA=='
    const weird = 'line1\nline2\t"quoted" \\ ünïcødé 🚀 \u0000end'
    const a = await store.postMessage(team, 'cipher', 'alice', msg(cipher))
    const b = await store.postMessage(team, 'cipher', 'alice', msg(weird))
    const c = await store.postMessage(team, 'cipher', 'alice', msg('hf1:AbCd'))
    expect(a.encrypted).toBe(true)
    expect(b.encrypted).toBeUndefined()
    const page = await store.readMessages(team, 'cipher', { after_id: '0', limit: 10 })
    expect(page.messages.map((m) => m.content)).toEqual([cipher, weird, 'hf1:AbCd'])
    expect(page.messages.map((m) => m.encrypted)).toEqual([true, undefined, true])
    expect(c.encrypted).toBe(true)
  })

  it('refuses plaintext when the team requires encryption', async () => {
    const t = (await store.signup('enc', 'alice')).team.id
    await store.updateTeamSettings(t, { encryption_required: true })
    await expect(store.postMessage(t, 'sec', 'alice', msg('hello'))).rejects.toMatchObject({
      code: 'ENCRYPTION_REQUIRED',
      status: 400,
    })
    await expect(store.setStatus(t, 'sec', 'k', 'plain', 'alice')).rejects.toMatchObject({
      code: 'ENCRYPTION_REQUIRED',
    })
    await store.postMessage(t, 'sec', 'alice', msg('e2ee:abc'))
    await store.postMessage(t, 'sec', 'alice', msg('hf1:abc'))
    await store.setStatus(t, 'sec', 'k', 'e2ee:xyz', 'alice')
    await store.updateTeamSettings(t, { encryption_required: false })
    await store.postMessage(t, 'sec', 'alice', msg('hello'))
  })
})

describe('status, changes and audit', () => {
  it('records every set and delete as a change', async () => {
    const s = await store.setStatus(team, 'st', 'build', 'green', 'alice')
    expect(s).toMatchObject({ channel: 'st', key: 'build', value: 'green', updated_by: 'alice' })
    await store.setStatus(team, 'st', 'build', 'red', 'bob')
    await store.setStatus(team, 'st', 'deploy', 'done', 'bob')
    expect((await store.getStatus(team, 'st')).map((x) => [x.key, x.value])).toEqual([
      ['build', 'red'],
      ['deploy', 'done'],
    ])
    expect(await store.getStatus(team, 'st', 'build')).toEqual([expect.objectContaining({ value: 'red' })])
    await store.deleteStatus(team, 'st', 'build', 'carol')
    await expect(store.deleteStatus(team, 'st', 'build', 'carol')).rejects.toMatchObject({
      code: 'STATUS_NOT_FOUND',
    })
    expect(await store.getStatus(team, 'st', 'build')).toEqual([])
    const all = await store.readStatusChanges(team, 'st', { after_id: '0', limit: 10 })
    expect(all.changes.map((c) => [c.key, c.value, c.changed_by, c.deleted ?? false])).toEqual([
      ['build', 'green', 'alice', false],
      ['build', 'red', 'bob', false],
      ['deploy', 'done', 'bob', false],
      ['build', '', 'carol', true],
    ])
    const latest = await store.readStatusChanges(team, 'st', { after_id: null, limit: 2 })
    expect(latest.changes.map((c) => c.value)).toEqual(['done', ''])
    expect(latest.has_more).toBe(true)
    const page = await store.readStatusChanges(team, 'st', { after_id: all.changes[1]!.id, limit: 1 })
    expect(page.changes.map((c) => c.value)).toEqual(['done'])
    expect(page.has_more).toBe(true)
  })

  it('reads the audit log newest first, by page and by result', async () => {
    const t = (await store.signup('audited', 'alice')).team.id
    for (let i = 0; i < 5; i++) {
      await store.recordAudit(t, {
        key_hash: `k${i}`,
        sender_name: 'mallory',
        action: `GET /api/x${i}`,
        channel: '*',
        result: i === 2 ? 'allowed' : 'denied',
      })
    }
    const first = await store.readAudit(t, { after_id: null, limit: 2 })
    expect(first.entries.map((e) => e.key_hash)).toEqual(['k4', 'k3'])
    expect(first.has_more).toBe(true)
    const second = await store.readAudit(t, { after_id: first.next_after_id, limit: 2 })
    expect(second.entries.map((e) => e.key_hash)).toEqual(['k2', 'k1'])
    const third = await store.readAudit(t, { after_id: second.next_after_id, limit: 2 })
    expect(third.entries.map((e) => e.key_hash)).toEqual(['k0'])
    expect(third.has_more).toBe(false)
    const denied = await store.readAudit(t, { after_id: null, limit: 10, result: 'denied' })
    expect(denied.entries.map((e) => e.key_hash)).toEqual(['k4', 'k3', 'k1', 'k0'])
    expect(first.entries[0]).toMatchObject({ sender_name: 'mallory', action: 'GET /api/x4', channel: '*' })
    expect(first.entries[0]?.id).toMatch(/^\d+-\d+$/)
  })

  it('keeps teams apart', async () => {
    const other = (await store.signup('other', 'eve')).team.id
    await store.postMessage(team, 'secret', 'alice', msg('team A only'))
    await store.setStatus(team, 'secret', 'k', 'v', 'alice')
    expect((await store.readMessages(other, 'secret', { after_id: '0', limit: 10 })).messages).toEqual([])
    expect(await store.getStatus(other, 'secret')).toEqual([])
    expect(await store.listChannels(other)).toEqual([])
    expect(await store.listKeys(other)).toHaveLength(1)
  })
})
