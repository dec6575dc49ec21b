// Threads, reply_count, and message deletion (author or admin), which must fix the thread and
// the parent's reply_count.
import { describe, expect, it } from 'vitest'
import type { Message } from '../../../sdk/api/types.js'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus, seg } from '../http.js'
import { expectThreadPage } from '../shapes.js'

export function threadCases(f: Fixture): void {
  const thread = async (ch: string, id: string, query = '') =>
    expectStatus(await f.admin.get(`/api/channels/${ch}/threads/${seg(id)}${query}`), 200)
  const channelMessage = async (ch: string, id: string): Promise<Message | undefined> => {
    const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?after_id=0&limit=100`), 200)
    return page.messages.find((m: Message) => m.id === id)
  }

  describe('threads', () => {
    it('a reply carries thread_id and the thread is {parent, replies, next_after_id, has_more}', async () => {
      const ch = f.channel('t-shape')
      const parent = await f.post(f.admin, ch, 'parent')
      const reply = await f.post(f.admin, ch, 'reply', { thread_id: parent.id })
      expect(reply.thread_id).toBe(parent.id)
      const body = await thread(ch, parent.id)
      expectThreadPage(body)
      expect(body.parent.id).toBe(parent.id)
      expect(body.parent.reply_count).toBe(1)
      expect(body.replies.map((m: Message) => m.id)).toEqual([reply.id])
      expect(body.has_more).toBe(false)
    })

    it('reply_count shows on the parent in channel reads', async () => {
      const ch = f.channel('t-count')
      const parent = await f.post(f.admin, ch, 'parent')
      await f.post(f.admin, ch, 'r1', { thread_id: parent.id })
      await f.post(f.admin, ch, 'r2', { thread_id: parent.id })
      expect((await channelMessage(ch, parent.id))?.reply_count).toBe(2)
    })

    it('replies also appear in the channel, with thread_id set', async () => {
      const ch = f.channel('t-inline')
      const parent = await f.post(f.admin, ch, 'parent')
      const reply = await f.post(f.admin, ch, 'reply', { thread_id: parent.id })
      expect((await channelMessage(ch, reply.id))?.thread_id).toBe(parent.id)
    })

    it('thread_id= on the messages route returns only that thread, oldest first', async () => {
      const ch = f.channel('t-filter')
      const parent = await f.post(f.admin, ch, 'parent')
      const other = await f.post(f.admin, ch, 'other')
      await f.post(f.admin, ch, 'r1', { thread_id: parent.id })
      await f.post(f.admin, ch, 'o1', { thread_id: other.id })
      await f.post(f.admin, ch, 'r2', { thread_id: parent.id })
      const page = expectStatus(
        await f.admin.get(`/api/channels/${ch}/messages?thread_id=${seg(parent.id)}`),
        200,
      )
      expect(page.messages.map((m: Message) => m.content)).toEqual(['r1', 'r2'])
    })

    it('thread replies page with after_id and limit', async () => {
      const ch = f.channel('t-page')
      const parent = await f.post(f.admin, ch, 'parent')
      for (const content of ['r1', 'r2', 'r3']) await f.post(f.admin, ch, content, { thread_id: parent.id })
      const first = await thread(ch, parent.id, '?limit=2')
      expect(first.replies.map((m: Message) => m.content)).toEqual(['r1', 'r2'])
      expect(first.has_more).toBe(true)
      const rest = await thread(ch, parent.id, `?limit=2&after_id=${seg(first.next_after_id)}`)
      expect(rest.replies.map((m: Message) => m.content)).toEqual(['r3'])
      expect(rest.has_more).toBe(false)
      const fromStart = await thread(ch, parent.id, '?after_id=0')
      expect(fromStart.replies.map((m: Message) => m.content)).toEqual(['r1', 'r2', 'r3'])
    })

    it('a thread of a message that does not exist in the channel is 404 MESSAGE_NOT_FOUND', async () => {
      const elsewhere = await f.post(f.admin, f.channel('t-else'), 'elsewhere')
      const ch = f.channel('t-miss')
      await f.post(f.admin, ch, 'here')
      const res = await f.admin.get(`/api/channels/${ch}/threads/${seg(elsewhere.id)}`)
      expectError(res, 404, 'MESSAGE_NOT_FOUND')
    })

    it('replying to a message that does not exist in the channel is 404 THREAD_PARENT_NOT_FOUND', async () => {
      const elsewhere = await f.post(f.admin, f.channel('t-else2'), 'elsewhere')
      const ch = f.channel('t-orphan')
      await f.post(f.admin, ch, 'here')
      const res = await f.admin.post(`/api/channels/${ch}/messages`, {
        content: 'x',
        thread_id: elsewhere.id,
      })
      expectError(res, 404, 'THREAD_PARENT_NOT_FOUND')
    })

    it('a garbage thread_id in a post is 400 INVALID_CURSOR', async () => {
      const res = await f.admin.post(`/api/channels/${f.channel('t-bad')}/messages`, {
        content: 'x',
        thread_id: 'zzz',
      })
      expectError(res, 400, 'INVALID_CURSOR')
    })

    it('garbage thread ids, after_id and limit on the thread route are 400', async () => {
      const ch = f.channel('t-garbage')
      const parent = await f.post(f.admin, ch, 'p')
      expectError(await f.admin.get(`/api/channels/${ch}/threads/zzz`), 400, 'INVALID_CURSOR')
      expectError(await f.admin.get(`/api/channels/${ch}/threads/${seg("1' OR 1=1")}`), 400, 'INVALID_CURSOR')
      expectError(
        await f.admin.get(`/api/channels/${ch}/threads/${seg(parent.id)}?after_id=zzz`),
        400,
        'INVALID_CURSOR',
      )
      expectError(
        await f.admin.get(`/api/channels/${ch}/threads/${seg(parent.id)}?limit=999`),
        400,
        'INVALID_LIMIT',
      )
      expectError(
        await f.admin.get(`/api/channels/${ch}/threads/${seg(parent.id)}?limit=0`),
        400,
        'INVALID_LIMIT',
      )
    })
  })

  describe('deleting messages', () => {
    it('DELETE answers 204 and the message is gone from the channel', async () => {
      const ch = f.channel('d-gone')
      const message = await f.post(f.admin, ch, 'bye')
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
      expect(await channelMessage(ch, message.id)).toBeUndefined()
    })

    it('a deleted message is gone from filtered reads and from unread too', async () => {
      const ch = f.channel('d-views')
      const reader = await f.key('d-views')
      const message = await f.post(f.admin, ch, 'doomed', { mention: 'bob' })
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
      const byMention = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?mention=bob`), 200)
      expect(byMention.messages).toEqual([])
      const unread = expectStatus(await reader.client.get(`/api/channels/${ch}/unread`), 200)
      expect(unread.messages).toEqual([])
    })

    it('a cursor whose message was deleted still pages on', async () => {
      const ch = f.channel('d-cursor')
      const m1 = await f.post(f.admin, ch, 'm1')
      const m2 = await f.post(f.admin, ch, 'm2')
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(m1.id)}`), 204)
      const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?after_id=${seg(m1.id)}`), 200)
      expect(page.messages.map((m: Message) => m.id)).toEqual([m2.id])
    })

    it('deleting a reply removes it from the thread and lowers reply_count', async () => {
      const ch = f.channel('d-reply')
      const parent = await f.post(f.admin, ch, 'parent')
      const keep = await f.post(f.admin, ch, 'keep', { thread_id: parent.id })
      const drop = await f.post(f.admin, ch, 'drop', { thread_id: parent.id })
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(drop.id)}`), 204)
      const body = await thread(ch, parent.id)
      expect(body.replies.map((m: Message) => m.id)).toEqual([keep.id])
      expect(body.parent.reply_count).toBe(1)
      expect((await channelMessage(ch, parent.id))?.reply_count).toBe(1)
      const filtered = expectStatus(
        await f.admin.get(`/api/channels/${ch}/messages?thread_id=${seg(parent.id)}`),
        200,
      )
      expect(filtered.messages.map((m: Message) => m.id)).toEqual([keep.id])
    })

    it('deleting a thread parent makes its thread 404 MESSAGE_NOT_FOUND', async () => {
      const ch = f.channel('d-parent')
      const parent = await f.post(f.admin, ch, 'parent')
      await f.post(f.admin, ch, 'reply', { thread_id: parent.id })
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(parent.id)}`), 204)
      expectError(
        await f.admin.get(`/api/channels/${ch}/threads/${seg(parent.id)}`),
        404,
        'MESSAGE_NOT_FOUND',
      )
      const res = await f.admin.post(`/api/channels/${ch}/messages`, {
        content: 'late',
        thread_id: parent.id,
      })
      expectError(res, 404, 'THREAD_PARENT_NOT_FOUND')
    })

    it('deleting a message twice: 204 then 404 MESSAGE_NOT_FOUND', async () => {
      const ch = f.channel('d-twice')
      const message = await f.post(f.admin, ch, 'x')
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
      expectError(
        await f.admin.delete(`/api/channels/${ch}/messages/${seg(message.id)}`),
        404,
        'MESSAGE_NOT_FOUND',
      )
    })

    it('deleting a message of another channel through this one is 404 and deletes nothing', async () => {
      const home = f.channel('d-home')
      const message = await f.post(f.admin, home, 'stay')
      const away = f.channel('d-away')
      await f.post(f.admin, away, 'away')
      const res = await f.admin.delete(`/api/channels/${away}/messages/${seg(message.id)}`)
      expectError(res, 404, 'MESSAGE_NOT_FOUND')
      expect(await channelMessage(home, message.id)).toBeDefined()
    })

    it('a garbage message id is 400 INVALID_CURSOR', async () => {
      const ch = f.channel('d-garbage')
      await f.post(f.admin, ch, 'here')
      expectError(await f.admin.delete(`/api/channels/${ch}/messages/zzz`), 400, 'INVALID_CURSOR')
    })

    it('the author may delete its own message with write permission', async () => {
      const ch = f.channel('d-author')
      const writer = await f.key('d-author', { [ch]: 'write' })
      const message = await f.post(writer.client, ch, 'mine')
      expectStatus(await writer.client.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
    })

    it("a writer may not delete someone else's message: 403 FORBIDDEN, message kept", async () => {
      const ch = f.channel('d-other')
      const writer = await f.key('d-other', { [ch]: 'write' })
      const message = await f.post(f.admin, ch, 'admin wrote this')
      const res = await writer.client.delete(`/api/channels/${ch}/messages/${seg(message.id)}`)
      expectError(res, 403, 'FORBIDDEN')
      expect(await channelMessage(ch, message.id)).toBeDefined()
    })

    it("a channel admin may delete anyone's message", async () => {
      const ch = f.channel('d-admin')
      const channelAdmin = await f.key('d-admin', { [ch]: 'admin' })
      const message = await f.post(f.admin, ch, 'x')
      expectStatus(await channelAdmin.client.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
    })
  })
}
