// Posting and reading messages: the message shape, content limits, and the page contract
// (after_id exclusive, 0 / 0-0 from the start, latest `limit` oldest first, has_more,
// next_after_id, limit 1..100) with the mention / sender / thread_id filters.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Message } from '../../../sdk/api/types.js'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus } from '../http.js'
import { expectMessagePage } from '../shapes.js'

const BAD_LIMITS = ['0', '-1', '101', 'abc', '1.5', '1e2', '10abc', ' 5']

export function messageCases(f: Fixture): void {
  describe('posting messages', () => {
    it('POST answers 201 with every message field; mention and thread_id null when absent', async () => {
      const ch = f.channel('m-shape')
      const key = await f.key('m-shape')
      const res = await key.client.post(`/api/channels/${ch}/messages`, { content: 'hello' })
      const message = expectStatus(res, 201)
      expect(message).toMatchObject({ channel: ch, sender: key.sender, content: 'hello', mention: null })
      expect(message.thread_id).toBeNull()
      expect(message.reply_count).toBe(0)
      expect(Math.abs(Date.parse(message.created_at) - Date.now())).toBeLessThan(60_000)
    })

    it('a mention is stored and returned', async () => {
      const ch = f.channel('m-mention')
      const message = await f.post(f.admin, ch, 'ping', { mention: 'bob' })
      expect(message.mention).toBe('bob')
    })

    it('explicit null mention and thread_id are accepted as absent', async () => {
      const message = await f.post(f.admin, f.channel('m-null'), 'x', { mention: null, thread_id: null })
      expect(message.mention).toBeNull()
      expect(message.thread_id).toBeNull()
    })

    it('unknown fields in the body are ignored', async () => {
      const message = await f.post(f.admin, f.channel('m-extra'), 'x', { priority: 'high', nested: { a: 1 } })
      expect(message.content).toBe('x')
    })

    it('unicode, newlines and the seed "e2ee:" ciphertext strings round-trip untouched', async () => {
      const ch = f.channel('m-text')
      const contents = [
        'héllo 👋 世界',
        'line1\nline2\ttab "quoted" \\ back',
        'e2ee:AAECAwQFBgcICQoLDA0ODxAREhM=',
      ]
      for (const content of contents) await f.post(f.admin, ch, content)
      const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages`), 200)
      expect(page.messages.map((m: Message) => m.content)).toEqual(contents)
    })

    it('content of exactly 32768 bytes is accepted', async () => {
      const message = await f.post(f.admin, f.channel('m-max'), 'x'.repeat(32768))
      expect(message.content).toHaveLength(32768)
    })

    it('content over 32768 bytes is 413 CONTENT_TOO_LARGE', async () => {
      const res = await f.admin.post(`/api/channels/${f.channel('m-big')}/messages`, {
        content: 'x'.repeat(32769),
      })
      expectError(res, 413, 'CONTENT_TOO_LARGE')
    })

    it('the content limit counts UTF-8 bytes, not characters', async () => {
      const content = 'é'.repeat(16385) // 16385 characters, 32770 bytes
      const res = await f.admin.post(`/api/channels/${f.channel('m-bytes')}/messages`, { content })
      expectError(res, 413, 'CONTENT_TOO_LARGE')
    })

    it('missing or empty content is 400 MISSING_FIELDS', async () => {
      const ch = f.channel('m-empty')
      expectError(await f.admin.post(`/api/channels/${ch}/messages`, { mention: 'x' }), 400, 'MISSING_FIELDS')
      expectError(await f.admin.post(`/api/channels/${ch}/messages`, { content: '' }), 400, 'MISSING_FIELDS')
    })

    it('a failed post stores nothing', async () => {
      const ch = f.channel('m-nothing')
      await f.admin.post(`/api/channels/${ch}/messages`, { content: 'x'.repeat(40000) })
      await f.admin.post(`/api/channels/${ch}/messages`, { content: '' })
      const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages`), 200)
      expect(page.messages).toEqual([])
    })
  })

  describe('reading messages', () => {
    const ch = f.channel('m-page')
    const posted: Message[] = []
    beforeAll(async () => {
      for (let i = 0; i < 55; i++) posted.push(await f.post(f.admin, ch, `m${i}`))
    })
    const contents = (page: any) => page.messages.map((m: Message) => m.content)
    const read = async (query: string) =>
      expectStatus(await f.admin.get(`/api/channels/${ch}/messages${query}`), 200)

    it('a page is {messages, next_after_id, has_more, channel}', async () => {
      expectMessagePage(await read(''), ch)
    })

    it('without after_id: the latest 50 messages, oldest first, has_more true', async () => {
      const page = await read('')
      expect(contents(page)).toEqual(posted.slice(5).map((m) => m.content))
      expect(page.has_more).toBe(true)
      expect(page.next_after_id).toBe(posted[54]!.id)
    })

    it('without after_id and limit=5: the latest 5, oldest first', async () => {
      expect(contents(await read('?limit=5'))).toEqual(['m50', 'm51', 'm52', 'm53', 'm54'])
    })

    it('after_id=0 reads from the beginning', async () => {
      const page = await read('?after_id=0&limit=3')
      expect(contents(page)).toEqual(['m0', 'm1', 'm2'])
      expect(page.has_more).toBe(true)
      expect(page.next_after_id).toBe(posted[2]!.id)
    })

    it("after_id=0-0 (the seed's cursor) reads from the beginning", async () => {
      expect(contents(await read('?after_id=0-0&limit=3'))).toEqual(['m0', 'm1', 'm2'])
    })

    it('after_id is exclusive', async () => {
      expect(contents(await read(`?after_id=${posted[9]!.id}&limit=2`))).toEqual(['m10', 'm11'])
    })

    it('following next_after_id walks every message once, in order, ending with has_more false', async () => {
      const seen: string[] = []
      let cursor = '0'
      for (let pages = 0; pages < 10; pages++) {
        const page = await read(`?after_id=${cursor}&limit=20`)
        seen.push(...contents(page))
        cursor = page.next_after_id
        if (!page.has_more) break
      }
      expect(seen).toEqual(posted.map((m) => m.content))
    })

    it('after the last message: empty, has_more false, next_after_id echoes the cursor', async () => {
      const page = await read(`?after_id=${posted[54]!.id}`)
      expect(page.messages).toEqual([])
      expect(page.has_more).toBe(false)
      expect(page.next_after_id).toBe(posted[54]!.id)
    })

    it('limit=1 and limit=100 are accepted', async () => {
      expect((await read('?limit=1')).messages).toHaveLength(1)
      expect((await read('?after_id=0&limit=100')).messages).toHaveLength(55)
    })

    it.each(BAD_LIMITS)('limit=%j is 400 INVALID_LIMIT', async (limit) => {
      const res = await f.admin.get(`/api/channels/${ch}/messages?limit=${encodeURIComponent(limit)}`)
      expectError(res, 400, 'INVALID_LIMIT')
    })

    it.each(['zzz', 'abc-def', '1-', '-1', "1' OR '1'='1", '../../x'])(
      'after_id=%j is 400 INVALID_CURSOR',
      async (cursor) => {
        const res = await f.admin.get(`/api/channels/${ch}/messages?after_id=${encodeURIComponent(cursor)}`)
        expectError(res, 400, 'INVALID_CURSOR')
      },
    )

    it('empty after_id, limit and filter values count as absent, as the seed (curl "...?after_id=$CURSOR")', async () => {
      const page = await read('?after_id=&limit=&mention=&sender=&thread_id=')
      expect(contents(page)).toEqual(posted.slice(5).map((m) => m.content))
    })

    it('the next_after_id of an empty channel is a cursor that later yields the first message', async () => {
      const empty = f.channel('m-cursor')
      const page = expectStatus(await f.admin.get(`/api/channels/${empty}/messages`), 200)
      expect(page.messages).toEqual([])
      expect(page.has_more).toBe(false)
      const first = await f.post(f.admin, empty, 'first')
      const next = expectStatus(
        await f.admin.get(
          `/api/channels/${empty}/messages?after_id=${encodeURIComponent(page.next_after_id)}`,
        ),
        200,
      )
      expect(next.messages.map((m: Message) => m.id)).toEqual([first.id])
    })
  })

  describe('concurrent writes', () => {
    it('20 parallel posts get distinct ids and paging reads each exactly once, in log order', async () => {
      const ch = f.channel('m-race')
      const posted = await Promise.all(Array.from({ length: 20 }, (_, i) => f.post(f.admin, ch, `p${i}`)))
      expect(new Set(posted.map((m) => m.id)).size).toBe(20)
      const seen: string[] = []
      let cursor = '0'
      for (let pages = 0; pages < 20; pages++) {
        const page = expectStatus(
          await f.admin.get(`/api/channels/${ch}/messages?after_id=${cursor}&limit=3`),
          200,
        )
        seen.push(...page.messages.map((m: Message) => m.id))
        cursor = page.next_after_id
        if (!page.has_more) break
      }
      expect([...seen].sort()).toEqual(posted.map((m) => m.id).sort())
      // paging in small steps sees the same order as one big page: ids sort in log order
      const all = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?after_id=0&limit=100`), 200)
      expect(all.messages.map((m: Message) => m.id)).toEqual(seen)
    })

    it('10 parallel replies count 10 in reply_count', async () => {
      const ch = f.channel('m-replies')
      const parent = await f.post(f.admin, ch, 'parent')
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => f.post(f.admin, ch, `r${i}`, { thread_id: parent.id })),
      )
      const thread = expectStatus(
        await f.admin.get(`/api/channels/${ch}/threads/${encodeURIComponent(parent.id)}`),
        200,
      )
      expect(thread.parent.reply_count).toBe(10)
      expect(thread.replies).toHaveLength(10)
    })
  })

  describe('filters', () => {
    const ch = f.channel('m-filter')
    let alice: Awaited<ReturnType<Fixture['key']>>
    let bob: Awaited<ReturnType<Fixture['key']>>
    beforeAll(async () => {
      alice = await f.key('alice')
      bob = await f.key('bob')
      await f.post(alice.client, ch, 'a1', { mention: 'carol' })
      await f.post(bob.client, ch, 'b1')
      await f.post(alice.client, ch, 'a2')
      await f.post(bob.client, ch, 'b2', { mention: 'carol' })
      await f.post(alice.client, ch, 'a3', { mention: 'dave' })
    })
    const contents = async (query: string) => {
      const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?${query}`), 200)
      expectMessagePage(page, ch)
      return page.messages.map((m: Message) => m.content)
    }

    it('mention= returns only messages mentioning that name', async () => {
      expect(await contents('mention=carol')).toEqual(['a1', 'b2'])
    })

    it('sender= returns only that sender', async () => {
      expect(await contents(`sender=${alice.sender}`)).toEqual(['a1', 'a2', 'a3'])
    })

    it('mention= and sender= combine', async () => {
      expect(await contents(`sender=${alice.sender}&mention=carol`)).toEqual(['a1'])
    })

    it('a filter matching nothing is an empty page', async () => {
      expect(await contents('mention=nobody')).toEqual([])
    })

    it('filtered reads page with after_id, limit and has_more', async () => {
      const first = expectStatus(
        await f.admin.get(`/api/channels/${ch}/messages?sender=${alice.sender}&after_id=0&limit=2`),
        200,
      )
      expect(first.messages.map((m: Message) => m.content)).toEqual(['a1', 'a2'])
      expect(first.has_more).toBe(true)
      const rest = await contents(`sender=${alice.sender}&after_id=${first.next_after_id}&limit=2`)
      expect(rest).toEqual(['a3'])
    })

    it('thread_id=garbage is 400 INVALID_CURSOR', async () => {
      expectError(await f.admin.get(`/api/channels/${ch}/messages?thread_id=zzz`), 400, 'INVALID_CURSOR')
    })
  })
}
