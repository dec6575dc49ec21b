// The SSE stream: text/event-stream, `id:` on every event, message / delete / status / ack
// events, ?token= auth, the seed's wire format, limits and a heartbeat at least every 15 s.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectStatus, openStream, type SseStream, seg } from '../http.js'
import { expectAck, expectMessage, expectStatusChange } from '../shapes.js'
import { settle, streamHelpers } from './stream-support.js'

export function streamCases(f: Fixture): void {
  const { open, messageIds, eventIdOf } = streamHelpers(f)

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

    it('a 32 KiB multi-byte message arrives intact', async () => {
      const ch = f.channel('st-big')
      const stream = await open(ch)
      const content = 'é👋'.repeat(5461) // 32766 bytes of 2- and 4-byte characters
      const posted = await f.post(f.admin, ch, content)
      const event = await stream.waitFor((e) => e.json?.id === posted.id)
      expect(event.json.content).toBe(content)
    })

    it('a burst of 50 parallel posts arrives once each, in log order', async () => {
      const ch = f.channel('st-burst')
      const stream = await open(ch)
      const posted = await Promise.all(Array.from({ length: 50 }, (_, i) => f.post(f.admin, ch, `b${i}`)))
      await stream.waitForCount('message', 50)
      await settle()
      const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages?after_id=0&limit=100`), 200)
      const logOrder = page.messages.map((m: { id: string }) => m.id)
      expect([...logOrder].sort()).toEqual(posted.map((m) => m.id).sort())
      expect(messageIds(stream)).toEqual(logOrder)
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
}
