// Resuming a stream after Last-Event-ID (header) or ?last_event_id=: every missed event once,
// in order, of every type, then live; also while posts keep arriving during the reconnect.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectStatus, openStream, seg } from '../http.js'
import { settle, streamHelpers } from './stream-support.js'

export function resumeCases(f: Fixture): void {
  const { open, messageIds, eventIdOf } = streamHelpers(f)
  /** A stream saw one message, then went away: that message and the stream's last event id. */
  const seenThenAway = async (ch: string) => {
    const stream = await open(ch)
    const message = await f.post(f.admin, ch, 'seen')
    const lastSeen = await eventIdOf(stream, message.id)
    stream.close()
    return { message, lastSeen }
  }

  describe('stream resume', () => {
    it('Last-Event-ID resumes after that event: no gap, no duplicate, then live', async () => {
      const ch = f.channel('sr-header')
      const first = await open(ch)
      const m1 = await f.post(f.admin, ch, 'm1')
      const m2 = await f.post(f.admin, ch, 'm2')
      await eventIdOf(first, m1.id)
      const lastSeen = await eventIdOf(first, m2.id)
      first.close()
      const m3 = await f.post(f.admin, ch, 'm3')
      const m4 = await f.post(f.admin, ch, 'm4')
      const second = await open(ch, {}, { 'last-event-id': lastSeen })
      await eventIdOf(second, m4.id)
      const m5 = await f.post(f.admin, ch, 'm5')
      await eventIdOf(second, m5.id)
      await settle()
      expect(messageIds(second)).toEqual([m3.id, m4.id, m5.id])
    })

    it('resuming while messages are being posted loses none and repeats none', async () => {
      const ch = f.channel('sr-race')
      const first = await open(ch)
      const m0 = await f.post(f.admin, ch, 'm0')
      const lastSeen = await eventIdOf(first, m0.id)
      first.close()
      // post in the background while the resumed stream connects and catches up
      const posting = (async () => {
        const ids: string[] = []
        for (let i = 1; i <= 30; i++) ids.push((await f.post(f.admin, ch, `m${i}`)).id)
        return ids
      })()
      const second = await open(ch, {}, { 'last-event-id': lastSeen })
      const ids = await posting
      await eventIdOf(second, ids[29]!)
      await settle()
      expect(messageIds(second)).toEqual(ids)
    })

    it('a fresh stream opened while messages are being posted gets an unbroken, duplicate-free tail', async () => {
      const ch = f.channel('st-race')
      const posting = (async () => {
        const ids: string[] = []
        for (let i = 0; i < 30; i++) ids.push((await f.post(f.admin, ch, `m${i}`)).id)
        return ids
      })()
      const stream = await open(ch)
      const ids = await posting
      const last = await f.post(f.admin, ch, 'last')
      await eventIdOf(stream, last.id)
      await settle()
      const got = messageIds(stream)
      const all = [...ids, last.id]
      expect(got).toEqual(all.slice(all.length - got.length))
    })

    it('?last_event_id= resumes like the header', async () => {
      const ch = f.channel('sr-query')
      const { lastSeen } = await seenThenAway(ch)
      const m2 = await f.post(f.admin, ch, 'm2')
      const second = await open(ch, { last_event_id: lastSeen })
      await eventIdOf(second, m2.id)
      await settle()
      expect(messageIds(second)).toEqual([m2.id])
    })

    it('resuming from an older event replays every later event exactly once, in order', async () => {
      const ch = f.channel('sr-middle')
      const first = await open(ch)
      const posted = []
      for (const content of ['m1', 'm2', 'm3', 'm4']) posted.push(await f.post(f.admin, ch, content))
      const fromId = await eventIdOf(first, posted[0]!.id)
      await eventIdOf(first, posted[3]!.id)
      const second = await open(ch, {}, { 'last-event-id': fromId })
      await eventIdOf(second, posted[3]!.id)
      await settle()
      expect(messageIds(second)).toEqual(posted.slice(1).map((m) => m.id))
    })

    it('status, ack and delete events missed while away are replayed on resume', async () => {
      const ch = f.channel('sr-kinds')
      const { message, lastSeen } = await seenThenAway(ch)
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: 'k', value: 'v' }), 200)
      expectStatus(await f.admin.post(`/api/channels/${ch}/ack`, { last_read_id: message.id }), 200)
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
      const second = await open(ch, {}, { 'last-event-id': lastSeen })
      await second.waitForCount('delete', 1)
      await settle()
      expect(second.events.map((e) => e.event)).toEqual(['status', 'ack', 'delete'])
    })

    it('a message deleted while away is not replayed; its delete is', async () => {
      const ch = f.channel('sr-deleted')
      const { lastSeen } = await seenThenAway(ch)
      const gone = await f.post(f.admin, ch, 'gone')
      const kept = await f.post(f.admin, ch, 'kept')
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(gone.id)}`), 204)
      const second = await open(ch, {}, { 'last-event-id': lastSeen })
      await second.waitForCount('delete', 1)
      await settle()
      // its content is gone from the server: the event that carried it is not sent
      expect(second.events.map((e) => e.event)).toEqual(['message', 'delete'])
      expect(messageIds(second)).toEqual([kept.id])
      expect(second.of('delete')[0]?.json.id).toBe(gone.id)
    })

    it('the id of a status event is a valid resume point too', async () => {
      const ch = f.channel('sr-status')
      const first = await open(ch)
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: 'k', value: 'v' }), 200)
      const statusEvent = await first.waitFor((e) => e.event === 'status')
      first.close()
      const message = await f.post(f.admin, ch, 'after status')
      const second = await open(ch, { last_event_id: statusEvent.id! })
      await eventIdOf(second, message.id)
      await settle()
      expect(second.events.map((e) => e.event)).toEqual(['message'])
    })

    it('a message id from a read works as last_event_id, as seed clients use it', async () => {
      const ch = f.channel('sr-msgid')
      const m1 = await f.post(f.admin, ch, 'm1')
      const m2 = await f.post(f.admin, ch, 'm2')
      const m3 = await f.post(f.admin, ch, 'm3')
      const stream = await open(ch, { last_event_id: m1.id })
      await eventIdOf(stream, m3.id)
      await settle()
      expect(messageIds(stream)).toEqual([m2.id, m3.id])
    })

    it('resuming from the latest event replays nothing', async () => {
      const ch = f.channel('sr-latest')
      const first = await open(ch)
      const message = await f.post(f.admin, ch, 'only')
      const lastSeen = await eventIdOf(first, message.id)
      first.close()
      const second = await open(ch, {}, { 'last-event-id': lastSeen })
      await settle()
      expect(second.events).toEqual([])
    })

    it('a garbage Last-Event-ID is 400 INVALID_CURSOR', async () => {
      const ch = f.channel('sr-bad')
      const byHeader = await openStream(f.streamUrl(ch, { token: f.server.adminKey }), {
        headers: { 'last-event-id': 'zzz' },
      })
      expect([byHeader.status, byHeader.body?.code]).toEqual([400, 'INVALID_CURSOR'])
      const byQuery = await openStream(f.streamUrl(ch, { token: f.server.adminKey, last_event_id: 'zzz' }))
      expect([byQuery.status, byQuery.body?.code]).toEqual([400, 'INVALID_CURSOR'])
    })
  })
}
