// The SSE stream: text/event-stream, `id:` on every event, message / delete / status / ack
// events, ?token= auth, resuming after Last-Event-ID (header or ?last_event_id=) with no gap
// and no duplicate, a heartbeat at least every 15 s.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectStatus, openStream, type SseStream, seg } from '../http.js'
import { expectAck, expectMessage, expectStatusChange } from '../shapes.js'

const settle = () => new Promise((resolve) => setTimeout(resolve, 400))

export function streamCases(f: Fixture): void {
  const open = async (
    ch: string,
    query: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) => {
    const stream = await openStream(f.streamUrl(ch, { token: f.server.adminKey, ...query }), { headers })
    expect(stream.status, JSON.stringify(stream.body)).toBe(200)
    return stream
  }
  const messageIds = (stream: SseStream) => stream.of('message').map((e) => e.json.id)
  /** the SSE id of the event whose data has this message id */
  const eventIdOf = async (stream: SseStream, messageId: string) => {
    const event = await stream.waitFor((e) => e.event === 'message' && e.json?.id === messageId)
    expect(event.id).toBeTypeOf('string')
    return event.id!
  }

  describe('stream', () => {
    it('answers 200 text/event-stream with the key in the Authorization header', async () => {
      const stream = await openStream(f.streamUrl(f.channel('st-head')), {
        headers: { authorization: `Bearer ${f.server.adminKey}` },
      })
      expect(stream.status).toBe(200)
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    })

    it('?token= authenticates the stream (EventSource cannot set headers)', async () => {
      const stream = await open(f.channel('st-token'))
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    })

    it('no key is 401 MISSING_API_KEY and a bad token 401 INVALID_API_KEY, as JSON', async () => {
      const ch = f.channel('st-auth')
      const missing = await openStream(f.streamUrl(ch))
      expect([missing.status, missing.body?.code]).toEqual([401, 'MISSING_API_KEY'])
      const invalid = await openStream(f.streamUrl(ch, { token: 'nope' }))
      expect([invalid.status, invalid.body?.code]).toEqual([401, 'INVALID_API_KEY'])
    })

    it('a new message arrives as a "message" event with an id and the message as data', async () => {
      const ch = f.channel('st-msg')
      const stream = await open(ch)
      const posted = await f.post(f.admin, ch, 'live', { mention: 'bob' })
      const event = await stream.waitFor((e) => e.event === 'message')
      expect(event.id).toBeTypeOf('string')
      expectMessage(event.json)
      expect(event.json).toMatchObject({ ...posted, reply_count: 0 })
    })

    it('a fresh stream does not replay history', async () => {
      const ch = f.channel('st-fresh')
      const old = await f.post(f.admin, ch, 'old')
      const stream = await open(ch)
      const live = await f.post(f.admin, ch, 'new')
      await eventIdOf(stream, live.id)
      expect(messageIds(stream)).toEqual([live.id])
      expect(messageIds(stream)).not.toContain(old.id)
    })

    it('replies arrive with their thread_id', async () => {
      const ch = f.channel('st-reply')
      const parent = await f.post(f.admin, ch, 'parent')
      const stream = await open(ch)
      const reply = await f.post(f.admin, ch, 'reply', { thread_id: parent.id })
      const event = await stream.waitFor((e) => e.json?.id === reply.id)
      expect(event.json.thread_id).toBe(parent.id)
    })

    it('events of other channels are not delivered', async () => {
      const ch = f.channel('st-mine')
      const stream = await open(ch)
      await f.post(f.admin, f.channel('st-theirs'), 'elsewhere')
      const mine = await f.post(f.admin, ch, 'here')
      await eventIdOf(stream, mine.id)
      expect(messageIds(stream)).toEqual([mine.id])
    })

    it('a deleted message arrives as a "delete" event {id, channel, thread_id, deleted_by}', async () => {
      const ch = f.channel('st-del')
      const key = await f.key('st-del')
      const stream = await open(ch)
      const message = await f.post(key.client, ch, 'doomed')
      expectStatus(await key.client.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
      const event = await stream.waitFor((e) => e.event === 'delete')
      expect(event.id).toBeTypeOf('string')
      expect(event.json).toMatchObject({
        id: message.id,
        channel: ch,
        thread_id: null,
        deleted_by: key.sender,
      })
    })

    it('a status set and delete arrive as "status" events carrying the change', async () => {
      const ch = f.channel('st-status')
      const key = await f.key('st-status')
      const stream = await open(ch)
      expectStatus(await key.client.put(`/api/channels/${ch}/status`, { key: 'stage', value: 'build' }), 200)
      expectStatus(await key.client.delete(`/api/channels/${ch}/status/stage`), 204)
      const events = await stream.waitForCount('status', 2)
      for (const event of events) {
        expect(event.id).toBeTypeOf('string')
        expectStatusChange(event.json)
      }
      expect(events[0]!.json).toMatchObject({
        channel: ch,
        key: 'stage',
        value: 'build',
        changed_by: key.sender,
      })
      expect(events[1]!.json).toMatchObject({ channel: ch, key: 'stage', value: '', deleted: true })
    })

    it('an ack arrives as an "ack" event carrying the ack', async () => {
      const ch = f.channel('st-ack')
      const key = await f.key('st-ack')
      const message = await f.post(f.admin, ch, 'read me')
      const stream = await open(ch)
      expectStatus(await key.client.post(`/api/channels/${ch}/ack`, { last_read_id: message.id }), 200)
      const event = await stream.waitFor((e) => e.event === 'ack')
      expect(event.id).toBeTypeOf('string')
      expectAck(event.json)
      expect(event.json).toMatchObject({ channel: ch, sender: key.sender, last_read_id: message.id })
    })

    it('every event carries its own id, all distinct', async () => {
      const ch = f.channel('st-ids')
      const stream = await open(ch)
      const message = await f.post(f.admin, ch, 'one')
      await f.post(f.admin, ch, 'two', { thread_id: message.id })
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: 'k', value: 'v' }), 200)
      expectStatus(await f.admin.post(`/api/channels/${ch}/ack`, { last_read_id: message.id }), 200)
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
      await stream.waitForCount('delete', 1)
      await settle()
      const ids = stream.events.map((e) => e.id)
      expect(stream.events.map((e) => e.event)).toEqual(['message', 'message', 'status', 'ack', 'delete'])
      for (const id of ids) expect(id, 'event id').toBeTypeOf('string')
      expect(new Set(ids).size).toBe(ids.length)
    })

    it("the wire format is what the seed SDK's reader parses", async () => {
      // The seed SDK splits on "\n" only, matches "id: ", "event: " and "data: " with the space,
      // joins data lines without a newline, and only handles blocks with an explicit event line.
      const ch = f.channel('st-wire')
      const stream = await open(ch)
      const message = await f.post(f.admin, ch, 'multi\nline "quoted"')
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: 'k', value: 'v' }), 200)
      await stream.waitFor((e) => e.event === 'status')
      expect(stream.raw).not.toContain('\r')
      const isField = (line: string) => line !== '' && !line.startsWith(':')
      const blocks = stream.raw.split('\n\n').filter((block) => block.split('\n').some(isField))
      expect(blocks.length).toBeGreaterThanOrEqual(2)
      for (const block of blocks) {
        const lines = block.split('\n').filter(isField)
        expect(
          lines.filter((line) => line.startsWith('id: ')),
          block,
        ).toHaveLength(1)
        expect(
          lines.filter((line) => line.startsWith('event: ')),
          block,
        ).toHaveLength(1)
        expect(
          lines.filter((line) => line.startsWith('data: ')),
          block,
        ).toHaveLength(1)
        for (const line of lines) expect(line, block).toMatch(/^(id|event|data|retry): /)
      }
      const first = stream.of('message')[0]!
      expect(first.json.content).toBe(message.content)
    })

    it('two streams on one channel both get each event', async () => {
      const ch = f.channel('st-two')
      const a = await open(ch)
      const b = await open(ch)
      const message = await f.post(f.admin, ch, 'fan out')
      await eventIdOf(a, message.id)
      await eventIdOf(b, message.id)
    })

    it('a permission downgrade below read stops delivery at once', async () => {
      const ch = f.channel('st-down')
      const key = await f.key('st-down', { [ch]: 'read' })
      const stream = await openStream(f.streamUrl(ch, { token: key.secret }))
      expect(stream.status).toBe(200)
      const before = await f.post(f.admin, ch, 'visible')
      await eventIdOf(stream, before.id)
      expectStatus(await f.admin.put(`/api/keys/${seg(key.id)}/permissions`, { permissions: {} }), 200)
      const after = await f.post(f.admin, ch, 'hidden')
      await settle()
      expect(messageIds(stream)).not.toContain(after.id)
    })

    const limit = f.target.streamsPerKey ?? 0
    if (limit > 0)
      it('one stream over the per-key limit is 429 SSE_LIMIT_REACHED with Retry-After; closing one frees a slot', async () => {
        const ch = f.channel('st-limit')
        const key = await f.key('st-limit')
        const streams: SseStream[] = []
        for (let i = 0; i < limit; i++) {
          const stream = await openStream(f.streamUrl(ch, { token: key.secret }))
          expect(stream.status).toBe(200)
          streams.push(stream)
        }
        const refused = await openStream(f.streamUrl(ch, { token: key.secret }))
        expect([refused.status, refused.body?.code]).toEqual([429, 'SSE_LIMIT_REACHED'])
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
        streams[0]!.close()
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect((await openStream(f.streamUrl(ch, { token: key.secret }))).status).toBe(200)
      })

    it('sends a heartbeat comment at least every 15 s', { timeout: 25_000 }, async () => {
      const stream = await open(f.channel('st-beat'))
      await stream.waitForComment(stream.openedAt + 1000, 17_000)
    })
  })

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
      const first = await open(ch)
      const m1 = await f.post(f.admin, ch, 'm1')
      const lastSeen = await eventIdOf(first, m1.id)
      first.close()
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
      const first = await open(ch)
      const message = await f.post(f.admin, ch, 'm1')
      const lastSeen = await eventIdOf(first, message.id)
      first.close()
      expectStatus(await f.admin.put(`/api/channels/${ch}/status`, { key: 'k', value: 'v' }), 200)
      expectStatus(await f.admin.post(`/api/channels/${ch}/ack`, { last_read_id: message.id }), 200)
      expectStatus(await f.admin.delete(`/api/channels/${ch}/messages/${seg(message.id)}`), 204)
      const second = await open(ch, {}, { 'last-event-id': lastSeen })
      await second.waitForCount('delete', 1)
      await settle()
      expect(second.events.map((e) => e.event)).toEqual(['status', 'ack', 'delete'])
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
