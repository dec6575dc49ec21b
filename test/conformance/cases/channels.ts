// Channel routes: create (201, or 200 when it exists), list, delete, and the name rule
// ^[a-z0-9][a-z0-9._-]{0,63}$ both in bodies and in paths.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus, seg } from '../http.js'
import { expectChannel, expectIso } from '../shapes.js'

const BAD_NAMES = [
  'General',
  'UPPER',
  'a/b',
  '..',
  '.hidden',
  '-dash',
  '_under',
  'a b',
  'café',
  'a'.repeat(65),
  'x\u0000y',
]

export function channelCases(f: Fixture): void {
  describe('channels', () => {
    it('POST /api/channels answers 201 {name, description: null, created_at}', async () => {
      const name = f.channel('c-new')
      const body = expectStatus(await f.admin.post('/api/channels', { name }), 201)
      expectChannel(body)
      expect(body.name).toBe(name)
      expect(body.description).toBeNull()
    })

    it('POST /api/channels keeps the description', async () => {
      const name = f.channel('c-desc')
      const body = expectStatus(await f.admin.post('/api/channels', { name, description: 'deploys' }), 201)
      expect(body.description).toBe('deploys')
    })

    it('creating an existing channel answers 200 with the same channel', async () => {
      const name = f.channel('c-dup')
      const first = expectStatus(await f.admin.post('/api/channels', { name }), 201)
      const again = expectStatus(await f.admin.post('/api/channels', { name }), 200)
      expectChannel(again)
      expect(again.name).toBe(name)
      expect(again.created_at).toBe(first.created_at)
    })

    it('a 64-character name is valid', async () => {
      const name = f.channel('c64').padEnd(64, 'x')
      expect(name).toHaveLength(64)
      expectStatus(await f.admin.post('/api/channels', { name }), 201)
    })

    it('names with dots, dashes, underscores and digits are valid', async () => {
      const name = f.channel('0.a_b-c..d')
      expectStatus(await f.admin.post('/api/channels', { name }), 201)
    })

    it.each(BAD_NAMES)('POST /api/channels refuses %j with 400 INVALID_CHANNEL_NAME', async (name) => {
      expectError(await f.admin.post('/api/channels', { name }), 400, 'INVALID_CHANNEL_NAME')
    })

    it('POST /api/channels without a name is 400 MISSING_FIELDS', async () => {
      expectError(await f.admin.post('/api/channels', { description: 'x' }), 400, 'MISSING_FIELDS')
      expectError(await f.admin.post('/api/channels', { name: '' }), 400, 'MISSING_FIELDS')
    })

    it('GET /api/channels lists {name, description, created_at} sorted by name', async () => {
      const b = f.channel('c-list-b')
      const a = f.channel('c-list-a')
      expectStatus(await f.admin.post('/api/channels', { name: b, description: 'bee' }), 201)
      expectStatus(await f.admin.post('/api/channels', { name: a }), 201)
      const list = expectStatus(await f.admin.get('/api/channels'), 200)
      expect(Array.isArray(list)).toBe(true)
      for (const channel of list) expectChannel(channel)
      const names = list.map((c: any) => c.name)
      expect(names).toEqual([...names].sort())
      expect(list.find((c: any) => c.name === b).description).toBe('bee')
      expect(names).toContain(a)
    })

    it('message_count, when a server lists it, counts the messages of the channel', async () => {
      const name = f.channel('c-count')
      const message = await f.post(f.admin, name, 'one')
      await f.post(f.admin, name, 'two')
      expectStatus(await f.admin.delete(`/api/channels/${name}/messages/${seg(message.id)}`), 204)
      const list = expectStatus(await f.admin.get('/api/channels'), 200)
      const channel = list.find((c: any) => c.name === name)
      if (Object.hasOwn(channel, 'message_count')) expect(channel.message_count).toBe(1)
      if (Object.hasOwn(channel, 'last_activity')) expectIso(channel.last_activity)
    })

    it('posting to a channel that does not exist creates it, as in the seed', async () => {
      const name = f.channel('c-auto')
      await f.post(f.admin, name, 'first')
      const list = expectStatus(await f.admin.get('/api/channels'), 200)
      expect(list.map((c: any) => c.name)).toContain(name)
    })

    it('reading a channel that does not exist is an empty page, not an error', async () => {
      const name = f.channel('c-none')
      const page = expectStatus(await f.admin.get(`/api/channels/${name}/messages`), 200)
      expect(page.messages).toEqual([])
      expect(page.has_more).toBe(false)
    })

    it('DELETE /api/channels/{ch} answers 204 and the channel is gone from the list', async () => {
      const name = f.channel('c-del')
      expectStatus(await f.admin.post('/api/channels', { name }), 201)
      expectStatus(await f.admin.delete(`/api/channels/${name}`), 204)
      const list = expectStatus(await f.admin.get('/api/channels'), 200)
      expect(list.map((c: any) => c.name)).not.toContain(name)
    })

    it('deleting a channel removes its messages, statuses and acks', async () => {
      const name = f.channel('c-wipe')
      const message = await f.post(f.admin, name, 'old')
      expectStatus(await f.admin.put(`/api/channels/${name}/status`, { key: 'k', value: 'v' }), 200)
      expectStatus(await f.admin.post(`/api/channels/${name}/ack`, { last_read_id: message.id }), 200)
      expectStatus(await f.admin.delete(`/api/channels/${name}`), 204)
      expectStatus(await f.admin.post('/api/channels', { name }), 201)
      expect(expectStatus(await f.admin.get(`/api/channels/${name}/messages`), 200).messages).toEqual([])
      expect(expectStatus(await f.admin.get(`/api/channels/${name}/status`), 200)).toEqual([])
      expect(expectStatus(await f.admin.get(`/api/channels/${name}/acks`), 200)).toEqual([])
    })

    it('deleting a channel that does not exist is 404 CHANNEL_NOT_FOUND', async () => {
      expectError(await f.admin.delete(`/api/channels/${f.channel('c-ghost')}`), 404, 'CHANNEL_NOT_FOUND')
    })

    it('deleting a channel twice: 204 then 404 CHANNEL_NOT_FOUND', async () => {
      const name = f.channel('c-twice')
      expectStatus(await f.admin.post('/api/channels', { name }), 201)
      expectStatus(await f.admin.delete(`/api/channels/${name}`), 204)
      expectError(await f.admin.delete(`/api/channels/${name}`), 404, 'CHANNEL_NOT_FOUND')
    })

    it.each(['General', 'a'.repeat(65), '-x', 'caf%C3%A9', 'a%20b', '%2E%2Ehidden'])(
      'a channel path segment %j is 400 INVALID_CHANNEL_NAME on every channel route',
      async (segment) => {
        const base = `/api/channels/${segment}`
        expectError(await f.admin.get(`${base}/messages`), 400, 'INVALID_CHANNEL_NAME')
        expectError(await f.admin.post(`${base}/messages`, { content: 'x' }), 400, 'INVALID_CHANNEL_NAME')
        expectError(await f.admin.delete(base), 400, 'INVALID_CHANNEL_NAME')
        expectError(await f.admin.get(`${base}/status`), 400, 'INVALID_CHANNEL_NAME')
        expectError(
          await f.admin.put(`${base}/status`, { key: 'k', value: 'v' }),
          400,
          'INVALID_CHANNEL_NAME',
        )
        expectError(await f.admin.post(`${base}/ack`, { last_read_id: '0' }), 400, 'INVALID_CHANNEL_NAME')
        expectError(await f.admin.get(`${base}/acks`), 400, 'INVALID_CHANNEL_NAME')
        expectError(await f.admin.get(`${base}/unread`), 400, 'INVALID_CHANNEL_NAME')
        expectError(await f.admin.get(`${base}/status/changes`), 400, 'INVALID_CHANNEL_NAME')
        expectError(await f.admin.get(`${base}/stream`), 400, 'INVALID_CHANNEL_NAME')
      },
    )

    it('the channel name in a path is matched exactly: an encoded name never reaches another channel', async () => {
      const name = f.channel('c-exact')
      await f.post(f.admin, name, 'mine')
      const res = await f.admin.get(`/api/channels/${seg(`${name}/../${name}`)}/messages`)
      expectError(res, [400, 404], ['INVALID_CHANNEL_NAME', 'NOT_FOUND'])
    })
  })
}
