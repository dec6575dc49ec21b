// Acks (one per sender, never moving backwards) and unread (after this sender's last ack, not
// counting its own messages).
import { describe, expect, it } from 'vitest'
import type { Message } from '../../../sdk/api/types.js'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus } from '../http.js'
import { expectAck, expectMessagePage } from '../shapes.js'

export function ackCases(f: Fixture): void {
  const contents = (page: any) => page.messages.map((m: Message) => m.content)

  describe('acks', () => {
    it('POST ack answers 200 {channel, sender, last_read_id, acked_at}', async () => {
      const ch = f.channel('a-shape')
      const key = await f.key('a-shape')
      const message = await f.post(f.admin, ch, 'x')
      const ack = expectStatus(
        await key.client.post(`/api/channels/${ch}/ack`, { last_read_id: message.id }),
        200,
      )
      expectAck(ack)
      expect(ack).toMatchObject({ channel: ch, sender: key.sender, last_read_id: message.id })
    })

    it('GET acks lists one ack per sender, the latest', async () => {
      const ch = f.channel('a-list')
      const alice = await f.key('a-alice')
      const bob = await f.key('a-bob')
      const m1 = await f.post(f.admin, ch, 'm1')
      const m2 = await f.post(f.admin, ch, 'm2')
      expectStatus(await alice.client.post(`/api/channels/${ch}/ack`, { last_read_id: m1.id }), 200)
      expectStatus(await alice.client.post(`/api/channels/${ch}/ack`, { last_read_id: m2.id }), 200)
      expectStatus(await bob.client.post(`/api/channels/${ch}/ack`, { last_read_id: m1.id }), 200)
      const acks = expectStatus(await f.admin.get(`/api/channels/${ch}/acks`), 200)
      expect(Array.isArray(acks)).toBe(true)
      for (const ack of acks) expectAck(ack)
      const bySender = Object.fromEntries(acks.map((a: any) => [a.sender, a.last_read_id]))
      expect(bySender).toEqual({ [alice.sender]: m2.id, [bob.sender]: m1.id })
      expect(acks.map((a: any) => a.sender)).toEqual([alice.sender, bob.sender].sort())
    })

    it('an ack never moves backwards', async () => {
      const ch = f.channel('a-back')
      const m1 = await f.post(f.admin, ch, 'm1')
      const m2 = await f.post(f.admin, ch, 'm2')
      expectStatus(await f.admin.post(`/api/channels/${ch}/ack`, { last_read_id: m2.id }), 200)
      const ack = expectStatus(await f.admin.post(`/api/channels/${ch}/ack`, { last_read_id: m1.id }), 200)
      expect(ack.last_read_id).toBe(m2.id)
    })

    it('an ack without last_read_id is 400 MISSING_FIELDS', async () => {
      const ch = f.channel('a-missing')
      expectError(await f.admin.post(`/api/channels/${ch}/ack`, {}), 400, 'MISSING_FIELDS')
    })

    it('a garbage last_read_id is 400 INVALID_CURSOR', async () => {
      const ch = f.channel('a-garbage')
      expectError(
        await f.admin.post(`/api/channels/${ch}/ack`, { last_read_id: 'zzz' }),
        400,
        'INVALID_CURSOR',
      )
    })

    it('acking needs write: a read-only key gets 403 FORBIDDEN', async () => {
      const ch = f.channel('a-read')
      const reader = await f.key('a-read', { [ch]: 'read' })
      const message = await f.post(f.admin, ch, 'x')
      const res = await reader.client.post(`/api/channels/${ch}/ack`, { last_read_id: message.id })
      expectError(res, 403, 'FORBIDDEN')
      expectStatus(await reader.client.get(`/api/channels/${ch}/acks`), 200)
    })
  })

  describe('unread', () => {
    it('without an ack, every message of others is unread, as a message page', async () => {
      const ch = f.channel('u-all')
      const reader = await f.key('u-all')
      for (const content of ['m1', 'm2', 'm3']) await f.post(f.admin, ch, content)
      const page = expectStatus(await reader.client.get(`/api/channels/${ch}/unread`), 200)
      expectMessagePage(page, ch)
      expect(contents(page)).toEqual(['m1', 'm2', 'm3'])
    })

    it('unread starts after the last ack', async () => {
      const ch = f.channel('u-ack')
      const reader = await f.key('u-ack')
      await f.post(f.admin, ch, 'm1')
      const m2 = await f.post(f.admin, ch, 'm2')
      await f.post(f.admin, ch, 'm3')
      expectStatus(await reader.client.post(`/api/channels/${ch}/ack`, { last_read_id: m2.id }), 200)
      expect(contents(expectStatus(await reader.client.get(`/api/channels/${ch}/unread`), 200))).toEqual([
        'm3',
      ])
    })

    it("unread does not count the caller's own messages", async () => {
      const ch = f.channel('u-own')
      const me = await f.key('u-me')
      await f.post(f.admin, ch, 'theirs')
      await f.post(me.client, ch, 'mine')
      expect(contents(expectStatus(await me.client.get(`/api/channels/${ch}/unread`), 200))).toEqual([
        'theirs',
      ])
      expect(contents(expectStatus(await f.admin.get(`/api/channels/${ch}/unread`), 200))).toEqual(['mine'])
    })

    it('unread honours limit and reports has_more', async () => {
      const ch = f.channel('u-limit')
      const reader = await f.key('u-limit')
      for (const content of ['m1', 'm2', 'm3']) await f.post(f.admin, ch, content)
      const page = expectStatus(await reader.client.get(`/api/channels/${ch}/unread?limit=2`), 200)
      expect(contents(page)).toEqual(['m1', 'm2'])
      expect(page.has_more).toBe(true)
    })

    it('unread limit out of 1..100 is 400 INVALID_LIMIT', async () => {
      const ch = f.channel('u-bad')
      expectError(await f.admin.get(`/api/channels/${ch}/unread?limit=0`), 400, 'INVALID_LIMIT')
      expectError(await f.admin.get(`/api/channels/${ch}/unread?limit=101`), 400, 'INVALID_LIMIT')
    })
  })
}
