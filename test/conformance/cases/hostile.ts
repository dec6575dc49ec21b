// Hostile input: malformed and mistyped bodies, oversize bodies, bad UTF-8, path tricks and
// garbage ids. The rule: always a 4xx with {error, code}, never a 5xx, never a hang (every
// request has a timeout), and nothing stored or leaked across channels.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectClientError, expectError, expectStatus, type HttpResult, rawRequest } from '../http.js'

// Each route that reads a JSON body (a key id that does not exist still parses its body first).
const BODY_ROUTES: Array<{ route: string; method: string; path: (ch: string) => string }> = [
  { route: 'POST /api/keys', method: 'POST', path: () => '/api/keys' },
  { route: 'PUT /api/keys/{id}/permissions', method: 'PUT', path: () => '/api/keys/no-such-key/permissions' },
  { route: 'POST /api/channels', method: 'POST', path: () => '/api/channels' },
  { route: 'POST messages', method: 'POST', path: (ch) => `/api/channels/${ch}/messages` },
  { route: 'POST ack', method: 'POST', path: (ch) => `/api/channels/${ch}/ack` },
  { route: 'PUT status', method: 'PUT', path: (ch) => `/api/channels/${ch}/status` },
  { route: 'POST status', method: 'POST', path: (ch) => `/api/channels/${ch}/status` },
]

const MALFORMED = [
  '{bad json',
  '{"content": "x"',
  '{"content": "x",}',
  "{'content': 'x'}",
  'undefined',
  '\u0000',
]

// Wrong JSON types for a required field: the seed answered INVALID_JSON; a field-level code is accepted too.
// A number where a cursor belongs may also be refused as INVALID_CURSOR.
const WRONG_TYPES: Array<{ method: string; path: (ch: string) => string; body: unknown; cursor?: boolean }> =
  [
    { method: 'POST', path: (ch) => `/api/channels/${ch}/messages`, body: { content: 123 } },
    { method: 'POST', path: (ch) => `/api/channels/${ch}/messages`, body: { content: { nested: true } } },
    { method: 'POST', path: (ch) => `/api/channels/${ch}/messages`, body: { content: 'x', mention: 5 } },
    {
      method: 'POST',
      path: (ch) => `/api/channels/${ch}/messages`,
      body: { content: 'x', thread_id: 7 },
      cursor: true,
    },
    { method: 'POST', path: (ch) => `/api/channels/${ch}/messages`, body: { content: ['x'] } },
    { method: 'POST', path: (ch) => `/api/channels/${ch}/ack`, body: { last_read_id: 1 }, cursor: true },
    { method: 'PUT', path: (ch) => `/api/channels/${ch}/status`, body: { key: 'k', value: 42 } },
    { method: 'PUT', path: (ch) => `/api/channels/${ch}/status`, body: { key: ['k'], value: 'v' } },
    { method: 'POST', path: () => '/api/channels', body: { name: 5 } },
    { method: 'POST', path: () => '/api/keys', body: { sender_name: true } },
    { method: 'POST', path: () => '/api/keys', body: { sender_name: 'x', permissions: 'admin' } },
    { method: 'POST', path: () => '/api/keys', body: { sender_name: 'x', permissions: ['*'] } },
  ]
/** A path trick may be redirected to its clean form (as Go's ServeMux does) or refused; never served. */
function expectRefused(res: HttpResult): void {
  if (res.status >= 300 && res.status < 400) return
  expectClientError(res)
}

const TYPE_CODES = ['INVALID_JSON', 'INVALID_FIELD', 'MISSING_FIELDS', 'INVALID_PERMISSIONS']

export function hostileCases(f: Fixture): void {
  describe('hostile bodies', () => {
    it.each(BODY_ROUTES.flatMap((route) => MALFORMED.map((raw) => ({ ...route, raw }))))(
      '$route with malformed JSON $raw is 400 INVALID_JSON',
      async ({ method, path, raw }) => {
        const res = await f.admin.request(method, path(f.channel('h-bad')), { raw })
        expectError(res, 400, 'INVALID_JSON')
      },
    )

    it.each(BODY_ROUTES)('$route with an empty body is 400 INVALID_JSON', async ({ method, path }) => {
      expectError(await f.admin.request(method, path(f.channel('h-empty')), { raw: '' }), 400, 'INVALID_JSON')
    })

    it.each(['[]', '"text"', '42', 'null', 'true'])(
      'a JSON %s body instead of an object is a 400',
      async (raw) => {
        const res = await f.admin.request('POST', `/api/channels/${f.channel('h-shape')}/messages`, { raw })
        expectError(res, 400, ['INVALID_JSON', 'MISSING_FIELDS'])
      },
    )

    it.each(WRONG_TYPES)(
      '$method with $body is a 400, nothing stored',
      async ({ method, path, body, cursor }) => {
        const ch = f.channel('h-type')
        const res = await f.admin.request(method, path(ch), { json: body })
        expectError(res, 400, cursor ? [...TYPE_CODES, 'INVALID_CURSOR'] : TYPE_CODES)
        const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages`), 200)
        expect(page.messages).toEqual([])
      },
    )

    it('a JSON body without a JSON Content-Type is still read, as the seed did (curl -d)', async () => {
      const ch = f.channel('h-ctype')
      const form = await f.admin.request('POST', `/api/channels/${ch}/messages`, {
        raw: '{"content":"form"}',
        contentType: 'application/x-www-form-urlencoded',
      })
      expectStatus(form, 201)
      const none = await f.admin.request('POST', `/api/channels/${ch}/messages`, {
        raw: '{"content":"none"}',
        contentType: null,
      })
      expectStatus(none, 201)
    })

    it('a 2 MiB body is refused with a 4xx, not a 5xx or a hang', async () => {
      const raw = JSON.stringify({ content: 'x'.repeat(2 * 1024 * 1024) })
      let res: Awaited<ReturnType<typeof f.admin.request>> | undefined
      try {
        res = await f.admin.request('POST', `/api/channels/${f.channel('h-huge')}/messages`, { raw })
      } catch (error) {
        // A server may answer and close before reading the rest; only a reset without answer fails.
        throw new Error(`no HTTP answer to an oversize body: ${String(error)}`)
      }
      expectError(res, [400, 413], ['CONTENT_TOO_LARGE', 'BODY_TOO_LARGE', 'INVALID_JSON'])
    })

    it('invalid UTF-8 bytes in content never cause a 5xx and never store invalid text', async () => {
      const ch = f.channel('h-utf8')
      const raw = Buffer.concat([
        Buffer.from('{"content":"a'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('b"}'),
      ])
      const res = await f.admin.request('POST', `/api/channels/${ch}/messages`, { raw: new Uint8Array(raw) })
      if (res.status === 201) {
        const page = expectStatus(await f.admin.get(`/api/channels/${ch}/messages`), 200)
        expect(page.messages).toHaveLength(1)
        expect(page.messages[0].content.startsWith('a')).toBe(true)
      } else {
        expectError(res, 400, ['INVALID_JSON', 'INVALID_CONTENT'])
      }
    })

    it('a lone surrogate escape in content never causes a 5xx', async () => {
      const ch = f.channel('h-surrogate')
      const res = await f.admin.request('POST', `/api/channels/${ch}/messages`, {
        raw: '{"content":"a\\ud800b"}',
      })
      if (res.status !== 201) expectError(res, 400, ['INVALID_JSON', 'INVALID_CONTENT'])
      expectStatus(await f.admin.get(`/api/channels/${ch}/messages`), 200)
    })

    it('a deeply nested body never causes a 5xx', async () => {
      const raw = `{"content":"x","deep":${'['.repeat(5000)}${']'.repeat(5000)}}`
      const res = await f.admin.request('POST', `/api/channels/${f.channel('h-deep')}/messages`, { raw })
      if (res.status !== 201) expectClientError(res)
    })

    it('__proto__ and constructor keys in bodies are inert', async () => {
      const ch = f.channel('h-proto')
      const raw =
        '{"content":"x","__proto__":{"sender":"mallory","admin":true},"constructor":{"prototype":{}}}'
      const res = await f.admin.request('POST', `/api/channels/${ch}/messages`, { raw })
      const message = expectStatus(res, 201)
      expect(message.sender).not.toBe('mallory')
      const perms = '{"sender_name":"proto-key","permissions":{"__proto__":{"*":"admin"}}}'
      const created = await f.admin.request('POST', '/api/keys', { raw: perms })
      if (created.status === 201) {
        const key = f.admin.as(created.body.api_key)
        expectError(await key.get('/api/keys'), 403, 'FORBIDDEN')
      } else {
        expectClientError(created)
      }
    })
  })

  describe('hostile paths', () => {
    it.each([
      '/api/channels/%2e%2e/messages',
      '/api/channels/..%2Fkeys/messages',
      '/api/channels/a%2Fb/messages',
      '/api/channels/a%00b/messages',
      '/api/channels/%FF/messages',
      '/api/channels/./messages',
      '/api/channels//messages',
    ])('GET %s is refused (a JSON 4xx, or a redirect), never a 5xx', async (path) => {
      expectRefused(await rawRequest(f.url, 'GET', path, { key: f.server.adminKey }))
    })

    it('POST through ../ and %2F tricks stores nothing anywhere', async () => {
      const target = f.channel('h-target')
      await f.post(f.admin, target, 'baseline')
      const body = JSON.stringify({ content: 'smuggled' })
      for (const path of [
        `/api/channels/x/../${target}/messages`,
        `/api/channels/x%2F..%2F${target}/messages`,
        `/api/channels/${target}%2Fmessages/messages`,
        `/api/channels/${target}%00/messages`,
      ]) {
        const res = await rawRequest(f.url, 'POST', path, { key: f.server.adminKey, body })
        if (res.status === 201) {
          // a server that resolves `..` itself may accept it, but only into the named channel
          expect(res.body.channel).toBe(target)
        } else {
          expectRefused(res)
        }
      }
      const list = expectStatus(await f.admin.get('/api/channels'), 200)
      for (const name of list.map((c: any) => c.name)) expect(name).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/)
    })

    it('a very long query string and unknown query parameters never cause a 5xx', async () => {
      const ch = f.channel('h-query')
      const long = await f.admin.get(`/api/channels/${ch}/messages?mention=${'m'.repeat(6000)}`)
      if (long.status !== 200) expectClientError(long)
      expectStatus(await f.admin.get(`/api/channels/${ch}/messages?foo=bar&limit=5`), 200)
      const twice = await f.admin.get(`/api/channels/${ch}/messages?limit=5&limit=6`)
      if (twice.status !== 200) expectError(twice, 400, 'INVALID_LIMIT')
    })

    it.each(['zzz', "1' OR '1'='1", '%00', 'x'.repeat(300)])(
      'a garbage message id %j on thread and delete routes is a 4xx',
      async (id) => {
        const ch = f.channel('h-id')
        await f.post(f.admin, ch, 'here')
        const enc = encodeURIComponent(id)
        expectError(
          await f.admin.get(`/api/channels/${ch}/threads/${enc}`),
          [400, 404],
          ['INVALID_CURSOR', 'MESSAGE_NOT_FOUND', 'NOT_FOUND'],
        )
        expectError(
          await f.admin.delete(`/api/channels/${ch}/messages/${enc}`),
          [400, 404],
          ['INVALID_CURSOR', 'MESSAGE_NOT_FOUND', 'NOT_FOUND'],
        )
      },
    )

    it.each(['zzz', '%00', 'x'.repeat(300)])('a garbage key id %j on key routes is 4xx', async (id) => {
      const enc = encodeURIComponent(id)
      expectError(
        await f.admin.put(`/api/keys/${enc}/permissions`, { permissions: {} }),
        [400, 404],
        ['KEY_NOT_FOUND', 'NOT_FOUND'],
      )
      expectError(await f.admin.delete(`/api/keys/${enc}`), [400, 404], ['KEY_NOT_FOUND', 'NOT_FOUND'])
    })
  })
}
