// Key routes: create (secret shown once), list (never a secret), permission updates and
// revocation, both taking effect at once.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus, openStream, seg } from '../http.js'
import { expectKeyInfo } from '../shapes.js'

export function keyCases(f: Fixture): void {
  describe('keys', () => {
    it('POST /api/keys answers 201 {api_key, sender} and the new key works', async () => {
      const sender = f.sender('k-new')
      const body = expectStatus(await f.admin.post('/api/keys', { sender_name: sender }), 201)
      expect(body.api_key).toBeTypeOf('string')
      expect(body.api_key.length).toBeGreaterThanOrEqual(16)
      expect(body.sender).toBe(sender)
      expectStatus(await f.anon.as(body.api_key).get('/api/channels'), 200)
      if (body.key_id !== undefined) {
        const keys = expectStatus(await f.admin.get('/api/keys'), 200)
        expect(keys.find((k: any) => k.key === body.key_id)?.sender).toBe(sender)
      }
    })

    it('a key made without permissions gets {"*": "admin"}', async () => {
      const key = await f.key('k-default')
      const keys = expectStatus(await f.admin.get('/api/keys'), 200)
      expect(keys.find((k: any) => k.key === key.id).permissions).toEqual({ '*': 'admin' })
      expectStatus(await key.client.get('/api/keys'), 200)
      expectStatus(await key.client.post('/api/channels', { name: f.channel('kd') }), 201)
    })

    it('POST /api/keys with permissions echoes them in the 201', async () => {
      const permissions = { deploy: 'read', dev: 'write' }
      const body = expectStatus(
        await f.admin.post('/api/keys', { sender_name: f.sender('k-p'), permissions }),
        201,
      )
      expect(body.permissions).toEqual(permissions)
    })

    it('each new key is a different secret, also for the same sender name', async () => {
      const sender = f.sender('k-twice')
      const a = expectStatus(await f.admin.post('/api/keys', { sender_name: sender }), 201)
      const b = expectStatus(await f.admin.post('/api/keys', { sender_name: sender }), 201)
      expect(a.api_key).not.toBe(b.api_key)
    })

    it('POST /api/keys without sender_name is 400 MISSING_FIELDS', async () => {
      expectError(await f.admin.post('/api/keys', {}), 400, 'MISSING_FIELDS')
      expectError(await f.admin.post('/api/keys', { sender_name: '' }), 400, 'MISSING_FIELDS')
    })

    it('POST /api/keys accepts a 128-character sender and refuses 129 with FIELD_TOO_LARGE', async () => {
      expectStatus(await f.admin.post('/api/keys', { sender_name: 'q'.repeat(128) }), 201)
      expectError(await f.admin.post('/api/keys', { sender_name: 'q'.repeat(129) }), 400, 'FIELD_TOO_LARGE')
    })

    it('POST /api/keys with an unknown permission level is a 400', async () => {
      const res = await f.admin.post('/api/keys', {
        sender_name: f.sender('k-bad'),
        permissions: { '*': 'root' },
      })
      expectError(res, 400, ['INVALID_PERMISSIONS', 'INVALID_FIELD', 'INVALID_JSON'])
    })

    it('GET /api/keys lists {key, sender, permissions, created_at, last_used_at, revoked} for each key', async () => {
      const key = await f.key('k-list', { alpha: 'write' })
      const keys = expectStatus(await f.admin.get('/api/keys'), 200)
      expect(Array.isArray(keys)).toBe(true)
      for (const info of keys) expectKeyInfo(info)
      const mine = keys.find((k: any) => k.key === key.id)
      expect(mine.sender).toBe(key.sender)
      expect(mine.permissions).toEqual({ alpha: 'write' })
      expect(mine.revoked).toBe(false)
    })

    it('GET /api/keys never exposes a secret', async () => {
      const key = await f.key('k-secret')
      const res = await f.admin.get('/api/keys')
      expectStatus(res, 200)
      expect(res.text).not.toContain(key.secret)
      expect(res.text).not.toContain(f.server.adminKey)
      for (const info of res.body) expect(info.key).not.toBe(key.secret)
    })

    it('PUT /api/keys/{id}/permissions answers {key, permissions}', async () => {
      const key = await f.key('k-put', { '*': 'read' })
      const permissions = { deploy: 'admin', '*': 'write' }
      const body = expectStatus(
        await f.admin.put(`/api/keys/${seg(key.id)}/permissions`, { permissions }),
        200,
      )
      expect(body).toEqual({ key: key.id, permissions })
      const keys = expectStatus(await f.admin.get('/api/keys'), 200)
      expect(keys.find((k: any) => k.key === key.id).permissions).toEqual(permissions)
    })

    it('a permission downgrade takes effect on the very next request', async () => {
      const ch = f.channel('k-down')
      const key = await f.key('k-down', { [ch]: 'write' })
      await f.post(key.client, ch, 'allowed')
      expectStatus(
        await f.admin.put(`/api/keys/${seg(key.id)}/permissions`, { permissions: { [ch]: 'read' } }),
        200,
      )
      const res = await key.client.post(`/api/channels/${seg(ch)}/messages`, { content: 'denied' })
      expectError(res, 403, 'FORBIDDEN')
      expectStatus(await key.client.get(`/api/channels/${seg(ch)}/messages`), 200)
    })

    it('a permission upgrade takes effect on the very next request', async () => {
      const ch = f.channel('k-up')
      const key = await f.key('k-up', { [ch]: 'read' })
      expectError(
        await key.client.post(`/api/channels/${seg(ch)}/messages`, { content: 'x' }),
        403,
        'FORBIDDEN',
      )
      expectStatus(
        await f.admin.put(`/api/keys/${seg(key.id)}/permissions`, { permissions: { [ch]: 'write' } }),
        200,
      )
      await f.post(key.client, ch, 'now allowed')
    })

    it('PUT an empty permission map leaves the key with no access at all', async () => {
      const ch = f.channel('k-empty')
      const key = await f.key('k-empty')
      await f.post(key.client, ch, 'before')
      expectStatus(await f.admin.put(`/api/keys/${seg(key.id)}/permissions`, { permissions: {} }), 200)
      expectError(await key.client.get(`/api/channels/${ch}/messages`), 403, 'FORBIDDEN')
      expectError(await key.client.post(`/api/channels/${ch}/messages`, { content: 'x' }), 403, 'FORBIDDEN')
      expectError(await key.client.get('/api/keys'), 403, 'FORBIDDEN')
    })

    it('PUT permissions with an unknown level is a 400 and changes nothing', async () => {
      const key = await f.key('k-badlevel', { '*': 'read' })
      const res = await f.admin.put(`/api/keys/${seg(key.id)}/permissions`, { permissions: { '*': 'owner' } })
      expectError(res, 400, ['INVALID_PERMISSIONS', 'INVALID_FIELD', 'INVALID_JSON'])
      const keys = expectStatus(await f.admin.get('/api/keys'), 200)
      expect(keys.find((k: any) => k.key === key.id).permissions).toEqual({ '*': 'read' })
    })

    it('PUT permissions of an unknown key id is 404 KEY_NOT_FOUND', async () => {
      const res = await f.admin.put('/api/keys/no-such-key-id/permissions', { permissions: { '*': 'read' } })
      expectError(res, 404, 'KEY_NOT_FOUND')
    })

    it('PUT permissions without permissions is 400 MISSING_FIELDS', async () => {
      const key = await f.key('k-nop')
      expectError(await f.admin.put(`/api/keys/${seg(key.id)}/permissions`, {}), 400, 'MISSING_FIELDS')
    })

    it('PUT permissions with malformed JSON is 400 INVALID_JSON', async () => {
      const key = await f.key('k-badjson')
      const res = await f.admin.request('PUT', `/api/keys/${seg(key.id)}/permissions`, {
        raw: '{"permissions":',
      })
      expectError(res, 400, 'INVALID_JSON')
    })

    it('DELETE /api/keys/{id} answers 204 and the key is refused at once with 401 INVALID_API_KEY', async () => {
      const key = await f.key('k-revoke')
      expectStatus(await key.client.get('/api/channels'), 200)
      expectStatus(await f.admin.delete(`/api/keys/${seg(key.id)}`), 204)
      expectError(await key.client.get('/api/channels'), 401, 'INVALID_API_KEY')
      expectError(await key.client.post('/api/channels/x/messages', { content: 'x' }), 401, 'INVALID_API_KEY')
    })

    it('a revoked key is listed with revoked: true and still no secret', async () => {
      const key = await f.key('k-listed')
      expectStatus(await f.admin.delete(`/api/keys/${seg(key.id)}`), 204)
      const res = await f.admin.get('/api/keys')
      const info = expectStatus(res, 200).find((k: any) => k.key === key.id)
      expect(info?.revoked).toBe(true)
      expect(res.text).not.toContain(key.secret)
    })

    it('a revoked key is refused on the stream, by header and by ?token=', async () => {
      const ch = f.channel('k-rs')
      const key = await f.key('k-rs')
      expectStatus(await f.admin.delete(`/api/keys/${seg(key.id)}`), 204)
      const byHeader = await openStream(f.streamUrl(ch), {
        headers: { authorization: `Bearer ${key.secret}` },
      })
      expect(byHeader.status).toBe(401)
      expect(byHeader.body.code).toBe('INVALID_API_KEY')
      const byToken = await openStream(f.streamUrl(ch, { token: key.secret }))
      expect(byToken.status).toBe(401)
      expect(byToken.body.code).toBe('INVALID_API_KEY')
    })

    it('revoking a key closes its open stream', async () => {
      const ch = f.channel('k-close')
      const key = await f.key('k-close')
      const stream = await openStream(f.streamUrl(ch, { token: key.secret }))
      expect(stream.status).toBe(200)
      expectStatus(await f.admin.delete(`/api/keys/${seg(key.id)}`), 204)
      await stream.waitForEnd(5000)
    })

    it('DELETE /api/keys of an unknown id is 404 KEY_NOT_FOUND', async () => {
      expectError(await f.admin.delete('/api/keys/no-such-key-id'), 404, 'KEY_NOT_FOUND')
    })

    it('the key routes need "*": "admin" (a "*": "write" key gets 403 FORBIDDEN)', async () => {
      const writer = await f.key('k-writer', { '*': 'write' })
      const other = await f.key('k-target')
      expectError(await writer.client.post('/api/keys', { sender_name: 'x' }), 403, 'FORBIDDEN')
      expectError(await writer.client.get('/api/keys'), 403, 'FORBIDDEN')
      const put = await writer.client.put(`/api/keys/${seg(other.id)}/permissions`, {
        permissions: { '*': 'admin' },
      })
      expectError(put, 403, 'FORBIDDEN')
      expectError(await writer.client.delete(`/api/keys/${seg(other.id)}`), 403, 'FORBIDDEN')
      expectStatus(await other.client.get('/api/channels'), 200)
    })
  })
}
