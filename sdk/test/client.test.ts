// The SDK client against real servers: every method of handoff-sdk v1.3.2 with its exact result
// shapes, the additions (signup, unread, deleteStatus, keys, audit, iterators), and typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthenticationError, Handoff, HandoffError, NotFoundError, PermissionDeniedError } from '../index.js'
import { type SdkServer, targets } from './support/targets.js'

for (const target of targets) {
  describe(`SDK client on the ${target.name}`, () => {
    let server: SdkServer
    let admin: Handoff

    beforeAll(async () => {
      server = await target.start()
      admin = new Handoff({ apiUrl: server.url, apiKey: server.adminKey })
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('creates, lists and deletes channels', async () => {
      const created = await admin.createChannel('sdk-chan', 'for the SDK test')
      expect(created).toMatchObject({ name: 'sdk-chan', description: 'for the SDK test' })
      expect(typeof created.created_at).toBe('string')
      // Creating again returns the existing channel (200), not an error.
      expect(await admin.createChannel('sdk-chan')).toMatchObject({ name: 'sdk-chan' })
      expect((await admin.listChannels()).map((c) => c.name)).toContain('sdk-chan')
      await admin.deleteChannel('sdk-chan')
      expect((await admin.listChannels()).map((c) => c.name)).not.toContain('sdk-chan')
    })

    it('posts, reads with filters, replies and reads threads with the seed shapes', async () => {
      await admin.createChannel('sdk-msgs')
      const first = await admin.post('sdk-msgs', 'hello', { mention: 'bob' })
      expect(first).toMatchObject({
        channel: 'sdk-msgs',
        sender: 'admin',
        content: 'hello',
        mention: 'bob',
        thread_id: null,
        reply_count: 0,
      })
      const reply = await admin.reply('sdk-msgs', first.id, 'a reply')
      expect(reply.thread_id).toBe(first.id)

      const page = await admin.read('sdk-msgs', { after_id: '0', limit: 10 })
      expect(Object.keys(page).sort()).toEqual(['channel', 'has_more', 'messages', 'next_after_id'])
      expect(page.channel).toBe('sdk-msgs')
      expect(page.messages.map((m) => m.content)).toContain('hello')
      expect((await admin.read('sdk-msgs', { mention: 'bob' })).messages.map((m) => m.id)).toEqual([first.id])
      expect((await admin.read('sdk-msgs', { thread_id: first.id })).messages.map((m) => m.id)).toEqual([
        reply.id,
      ])

      const thread = await admin.thread('sdk-msgs', first.id)
      expect(thread.parent).toMatchObject({ id: first.id, reply_count: 1 })
      expect(thread.replies.map((m) => m.content)).toEqual(['a reply'])
      expect(typeof thread.has_more).toBe('boolean')

      await admin.deleteMessage('sdk-msgs', reply.id)
      expect((await admin.thread('sdk-msgs', first.id)).replies).toEqual([])
    })

    it('walks every page with the messages() iterator', async () => {
      await admin.createChannel('sdk-pages')
      const sent: string[] = []
      for (let i = 0; i < 7; i++) sent.push((await admin.post('sdk-pages', `m${i}`)).id)
      const seen: string[] = []
      for await (const m of admin.messages('sdk-pages', { limit: 3 })) seen.push(m.id)
      expect(seen).toEqual(sent)
      const tail: string[] = []
      for await (const m of admin.messages('sdk-pages', { after_id: sent[4], limit: 2 })) tail.push(m.id)
      expect(tail).toEqual(sent.slice(5))
    })

    it('acks, lists acks and counts unread messages of others only', async () => {
      await admin.createChannel('sdk-acks')
      const { api_key } = await admin.createKey('bot', { 'sdk-acks': 'write' })
      const bot = new Handoff({ apiUrl: server.url, apiKey: api_key })
      const m1 = await admin.post('sdk-acks', 'one')
      await admin.post('sdk-acks', 'two')
      await bot.post('sdk-acks', 'own message')
      const ack = await bot.ack('sdk-acks', m1.id)
      expect(ack).toMatchObject({ channel: 'sdk-acks', sender: 'bot', last_read_id: m1.id })
      expect((await admin.getAcks('sdk-acks')).map((a) => a.sender)).toContain('bot')
      const unread = await bot.unread('sdk-acks')
      expect(unread.messages.map((m) => m.content)).toEqual(['two'])
    })

    it('sets, reads, deletes status and pages its changes', async () => {
      await admin.createChannel('sdk-status')
      const st = await admin.setStatus('sdk-status', 'build', 'green')
      expect(st).toMatchObject({ channel: 'sdk-status', key: 'build', value: 'green', updated_by: 'admin' })
      await admin.setStatus('sdk-status', 'build', 'red')
      await admin.setStatus('sdk-status', 'deploy', 'done')
      expect((await admin.getStatus({ channel: 'sdk-status', key: 'build' })).map((s) => s.value)).toEqual([
        'red',
      ])
      const all = await admin.getStatus()
      expect(all.filter((s) => s.channel === 'sdk-status').length).toBe(2)

      await admin.deleteStatus('sdk-status', 'deploy')
      expect((await admin.getStatus({ channel: 'sdk-status' })).map((s) => s.key)).toEqual(['build'])
      // As in the seed: no cursor reads the latest changes; after_id "0" reads from the start.
      const latest = await admin.getStatusChanges('sdk-status', { limit: 2 })
      expect(latest.changes.map((c) => `${c.key}=${c.value}`)).toEqual(['deploy=done', 'deploy='])
      const page = await admin.getStatusChanges('sdk-status', { after_id: '0', limit: 2 })
      expect(page.changes.map((c) => c.value)).toEqual(['green', 'red'])
      expect(page.has_more).toBe(true)
      const values: string[] = []
      for await (const c of admin.statusChanges('sdk-status', { limit: 1 }))
        values.push(`${c.key}=${c.value}`)
      expect(values).toEqual(['build=green', 'build=red', 'deploy=done', 'deploy='])
    })

    it('manages keys: create, list, restrict, revoke; errors are typed', async () => {
      await admin.createChannel('sdk-keys')
      const created = await admin.createKey('reader', { 'sdk-keys': 'read' })
      expect(created).toMatchObject({ sender: 'reader', permissions: { 'sdk-keys': 'read' } })
      const keys = await admin.listKeys()
      const info = keys.find((k) => k.sender === 'reader')!
      expect(info).toMatchObject({ permissions: { 'sdk-keys': 'read' }, revoked: false })
      expect(JSON.stringify(keys)).not.toContain(created.api_key)

      const reader = new Handoff({ apiUrl: server.url, apiKey: created.api_key })
      expect(await reader.whoami()).toMatchObject({
        sender: 'reader',
        key_id: info.key,
        team_id: server.teamId,
        permissions: { 'sdk-keys': 'read' },
      })
      const denied = await reader.post('sdk-keys', 'nope').catch((e: unknown) => e)
      expect(denied).toBeInstanceOf(PermissionDeniedError)
      expect(denied).toBeInstanceOf(HandoffError)
      expect(denied).toMatchObject({ status: 403, code: 'FORBIDDEN' })
      const audit = await admin.audit({ limit: 10 })
      expect(audit.entries[0]).toMatchObject({ sender_name: 'reader', channel: 'sdk-keys' })
      await reader.setStatus('sdk-keys', 'k', 'v').catch(() => undefined)
      await reader.deleteChannel('sdk-keys').catch(() => undefined)
      const entries: string[] = []
      for await (const e of admin.auditEntries({ limit: 1 })) entries.push(e.id)
      const firstPage = await admin.audit({ limit: 10 })
      expect(entries).toEqual(firstPage.entries.map((e) => e.id)) // newest first, page by page
      expect(entries).toHaveLength(3)

      const updated = await admin.updateKeyPermissions(info.key, { 'sdk-keys': 'write' })
      expect(updated).toEqual({ key: info.key, permissions: { 'sdk-keys': 'write' } })
      expect((await reader.post('sdk-keys', 'now allowed')).content).toBe('now allowed')

      await admin.revokeKey(info.key)
      const revoked = await reader.listChannels().catch((e: unknown) => e)
      expect(revoked).toBeInstanceOf(AuthenticationError)
      expect(revoked).toMatchObject({ status: 401, code: 'INVALID_API_KEY' })
    })

    it('reports a missing channel or message as NotFoundError with the seed code', async () => {
      const missing = await admin.thread('sdk-msgs', '1-0').catch((e: unknown) => e)
      expect(missing).toBeInstanceOf(NotFoundError)
      expect((missing as HandoffError).code).toMatch(/_NOT_FOUND$/)
      const invalid = await admin.read('sdk-msgs', { after_id: 'not-a-cursor' }).catch((e: unknown) => e)
      expect(invalid).toMatchObject({ name: 'HandoffError', status: 400, code: 'INVALID_CURSOR' })
    })

    if (target.signup) {
      it('signs a team up with the static Handoff.signup', async () => {
        const res = await Handoff.signup(server.url, 'sdk-signup', 'founder')
        expect(res.team).toMatchObject({ name: 'sdk-signup' })
        const founder = new Handoff({ apiUrl: server.url, apiKey: res.api_key })
        expect(await founder.listChannels()).toEqual([])
      })
    }
  })
}
