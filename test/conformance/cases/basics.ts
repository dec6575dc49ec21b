// Public routes (health, signup), authentication and unknown routes.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus } from '../http.js'
import { expectIso } from '../shapes.js'

// Every route of SPEC section 3 (path parameters as {}); signup is listed by relay and node alike.
const SPEC_ROUTES = [
  'POST /api/signup',
  'POST /api/keys',
  'GET /api/keys',
  'PUT /api/keys/{}/permissions',
  'DELETE /api/keys/{}',
  'GET /api/audit',
  'POST /api/channels',
  'GET /api/channels',
  'DELETE /api/channels/{}',
  'POST /api/channels/{}/messages',
  'GET /api/channels/{}/messages',
  'DELETE /api/channels/{}/messages/{}',
  'GET /api/channels/{}/threads/{}',
  'GET /api/channels/{}/stream',
  'POST /api/channels/{}/ack',
  'GET /api/channels/{}/acks',
  'GET /api/channels/{}/unread',
  'PUT /api/channels/{}/status',
  'POST /api/channels/{}/status',
  'GET /api/channels/{}/status',
  'DELETE /api/channels/{}/status/{}',
  'GET /api/channels/{}/status/changes',
  'GET /api/status',
  'GET /healthz',
  'GET /readyz',
]

export function basicCases(f: Fixture): void {
  describe('health', () => {
    it('GET /healthz answers 200 {status: "ok"} without a key', async () => {
      const body = expectStatus(await f.anon.get('/healthz'), 200)
      expect(body.status).toBe('ok')
    })

    it('GET /readyz answers 200 without a key when the backing store is up', async () => {
      const body = expectStatus(await f.anon.get('/readyz'), 200)
      expect(body.status).toBe('ok')
    })
  })

  // Registered only for what the target serves, so a run shows no skipped tests.
  if (f.target.signup)
    describe('signup', () => {
      it('POST /api/signup answers 201 {team: {id, name, created_at}, api_key}', async () => {
        const res = await f.anon.post('/api/signup', { team_name: 'conf-team', sender_name: 'alice' })
        const body = expectStatus(res, 201)
        expect(Object.keys(body).sort()).toEqual(['api_key', 'team'])
        expect(body.team.id).toBeTypeOf('string')
        expect(body.team.name).toBe('conf-team')
        expectIso(body.team.created_at)
        expect(body.api_key).toBeTypeOf('string')
      })

      it('the signup key is a team admin key named after sender_name', async () => {
        const body = expectStatus(
          await f.anon.post('/api/signup', { team_name: 't', sender_name: 'founder' }),
          201,
        )
        const admin = f.anon.as(body.api_key)
        const message = expectStatus(
          await admin.post('/api/channels/general/messages', { content: 'hi' }),
          201,
        )
        expect(message.sender).toBe('founder')
        expectStatus(await admin.get('/api/keys'), 200)
        expectStatus(await admin.get('/api/audit'), 200)
      })

      it('signup accepts names of exactly 128 characters', async () => {
        const res = await f.anon.post('/api/signup', {
          team_name: 'n'.repeat(128),
          sender_name: 's'.repeat(128),
        })
        expectStatus(res, 201)
      })

      it('signup without team_name or sender_name is 400 MISSING_FIELDS', async () => {
        expectError(await f.anon.post('/api/signup', { team_name: 'x' }), 400, 'MISSING_FIELDS')
        expectError(await f.anon.post('/api/signup', { sender_name: 'x' }), 400, 'MISSING_FIELDS')
        expectError(
          await f.anon.post('/api/signup', { team_name: '', sender_name: 'x' }),
          400,
          'MISSING_FIELDS',
        )
      })

      it('signup with a 129-character name is 400 FIELD_TOO_LARGE', async () => {
        const long = 'x'.repeat(129)
        expectError(
          await f.anon.post('/api/signup', { team_name: long, sender_name: 'a' }),
          400,
          'FIELD_TOO_LARGE',
        )
        expectError(
          await f.anon.post('/api/signup', { team_name: 'a', sender_name: long }),
          400,
          'FIELD_TOO_LARGE',
        )
      })

      it('signup with malformed JSON is 400 INVALID_JSON', async () => {
        expectError(await f.anon.request('POST', '/api/signup', { raw: '{bad' }), 400, 'INVALID_JSON')
      })
    })

  if (!f.target.signup)
    describe('signup on a server without signup', () => {
      it('POST /api/signup is a JSON error, not a new team', async () => {
        const res = await f.anon.post('/api/signup', { team_name: 't', sender_name: 's' })
        expectError(res, [404, 501], ['NOT_FOUND', 'NOT_SUPPORTED'])
      })
    })

  describe('authentication', () => {
    it('a request without a key is 401 MISSING_API_KEY', async () => {
      expectError(await f.anon.get('/api/channels'), 401, 'MISSING_API_KEY')
    })

    it('an empty bearer token is 401 MISSING_API_KEY', async () => {
      const res = await f.anon.get('/api/channels', { headers: { authorization: 'Bearer ' } })
      expectError(res, 401, 'MISSING_API_KEY')
    })

    it('the X-Api-Key header authenticates too, as the seed server accepted it', async () => {
      const res = await f.anon.get('/api/channels', { headers: { 'x-api-key': f.server.adminKey } })
      expectStatus(res, 200)
    })

    it('?token= authenticates ordinary routes too, as in the seed', async () => {
      expectStatus(await f.anon.get(`/api/channels?token=${encodeURIComponent(f.server.adminKey)}`), 200)
    })

    it('an unknown key is 401 INVALID_API_KEY', async () => {
      expectError(await f.anon.as('relay_0123456789abcdef').get('/api/channels'), 401, 'INVALID_API_KEY')
    })

    it('a 4 KiB garbage key is 401 INVALID_API_KEY', async () => {
      expectError(await f.anon.as('k'.repeat(4096)).get('/api/channels'), 401, 'INVALID_API_KEY')
    })

    it('every authenticated route refuses a missing key with 401 before anything else', async () => {
      const routes: Array<[string, string]> = [
        ['POST', '/api/keys'],
        ['GET', '/api/keys'],
        ['PUT', '/api/keys/abc/permissions'],
        ['DELETE', '/api/keys/abc'],
        ['GET', '/api/audit'],
        ['POST', '/api/channels'],
        ['GET', '/api/channels'],
        ['DELETE', '/api/channels/some'],
        ['POST', '/api/channels/some/messages'],
        ['GET', '/api/channels/some/messages'],
        ['DELETE', '/api/channels/some/messages/1-0'],
        ['GET', '/api/channels/some/threads/1-0'],
        ['GET', '/api/channels/some/stream'],
        ['POST', '/api/channels/some/ack'],
        ['GET', '/api/channels/some/acks'],
        ['GET', '/api/channels/some/unread'],
        ['PUT', '/api/channels/some/status'],
        ['POST', '/api/channels/some/status'],
        ['GET', '/api/channels/some/status'],
        ['DELETE', '/api/channels/some/status/k'],
        ['GET', '/api/channels/some/status/changes'],
        ['GET', '/api/status'],
      ]
      for (const [method, path] of routes) {
        const res = await f.anon.request(
          method,
          path,
          method === 'GET' || method === 'DELETE' ? {} : { json: {} },
        )
        expectError(res, 401, 'MISSING_API_KEY')
      }
    })
  })

  describe('routing', () => {
    it('GET /api lists every route of SPEC section 3 as {method, path, description}, as the seed', async () => {
      const body = expectStatus(await f.anon.get('/api'), 200)
      expect(Array.isArray(body.endpoints)).toBe(true)
      for (const endpoint of body.endpoints) expect(endpoint.description).toBeTypeOf('string')
      const listed = new Set(
        body.endpoints.map((e: any) => `${e.method} ${String(e.path).replace(/\{[^}]+\}|:\w+/g, '{}')}`),
      )
      for (const route of SPEC_ROUTES) expect(listed, route).toContain(route)
    })

    it('GET and DELETE with Content-Type: application/json and no body work, as the seed SDK sends them', async () => {
      const json = { headers: { 'content-type': 'application/json' } }
      expectStatus(await f.admin.get('/api/channels', json), 200)
      const name = f.channel('b-ctype')
      expectStatus(await f.admin.post('/api/channels', { name }), 201)
      const message = expectStatus(
        await f.admin.post(`/api/channels/${name}/messages`, { content: 'x' }),
        201,
      )
      expectStatus(
        await f.admin.delete(`/api/channels/${name}/messages/${encodeURIComponent(message.id)}`, json),
        204,
      )
      expectStatus(await f.admin.put(`/api/channels/${name}/status`, { key: 'k', value: 'v' }), 200)
      expectStatus(await f.admin.delete(`/api/channels/${name}/status/k`, json), 204)
      expectStatus(await f.admin.delete(`/api/channels/${name}`, json), 204)
    })

    it('an unknown route is a JSON 404 NOT_FOUND', async () => {
      expectError(await f.admin.get('/api/nonexistent'), 404, 'NOT_FOUND')
    })

    it('an unsupported method on a known path is a JSON 4xx error', async () => {
      const res = await f.admin.request('PATCH', '/api/channels', { json: {} })
      expectError(res, [404, 405], ['NOT_FOUND', 'METHOD_NOT_ALLOWED'])
    })
  })
}
