// The whole API over the relay's Redis store, through fastify.inject: status codes, error codes
// and shapes as handoff-sdk v1.3.2 answered them, with SPEC's changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, startApi, type TestApi, unique } from './helpers.js'

let api: TestApi
beforeAll(async () => {
  api = await startApi()
})
afterAll(() => api.close())

const as = (key: string) => ({
  get: (url: string, headers?: Record<string, string>) =>
    call(api.app, { url, key, ...(headers ? { headers } : {}) }),
  post: (url: string, body?: unknown) => call(api.app, { method: 'POST', url, key, body }),
  put: (url: string, body?: unknown) => call(api.app, { method: 'PUT', url, key, body }),
  del: (url: string) => call(api.app, { method: 'DELETE', url, key }),
})
const admin = () => as(api.key)
const newKey = async (sender: string, permissions?: Record<string, string>) => {
  const res = await admin().post(
    '/api/keys',
    permissions ? { sender_name: sender, permissions } : { sender_name: sender },
  )
  expect(res.status).toBe(201)
  return res.json.api_key as string
}

describe('public routes', () => {
  it('answers the probes', async () => {
    expect(await call(api.app, { url: '/healthz' })).toMatchObject({ status: 200, json: { status: 'ok' } })
    expect(await call(api.app, { url: '/readyz' })).toMatchObject({
      status: 200,
      json: { status: 'ok', redis: 'connected' },
    })
  })

  it('answers unknown routes and methods with a JSON 404', async () => {
    for (const c of [
      { url: '/nope' },
      { url: '/api/channels/general/nope', key: api.key },
      { method: 'PUT' as const, url: '/api/channels', key: api.key, body: {} },
    ]) {
      const res = await call(api.app, c)
      expect(res).toMatchObject({ status: 404, json: { code: 'NOT_FOUND', error: 'Route not found' } })
    }
  })

  it('signs up a team on the relay', async () => {
    const res = await call(api.app, {
      method: 'POST',
      url: '/api/signup',
      body: { team_name: unique('t'), sender_name: 'zoe' },
    })
    expect(res.status).toBe(201)
    expect(res.json.team).toMatchObject({
      id: expect.any(String),
      name: expect.any(String),
      created_at: expect.any(String),
    })
    expect(await as(res.json.api_key).get('/api/channels')).toMatchObject({ status: 200, json: [] })
    const missing = await call(api.app, { method: 'POST', url: '/api/signup', body: { team_name: 'x' } })
    expect(missing).toMatchObject({ status: 400, json: { code: 'MISSING_FIELDS' } })
    const long = await call(api.app, {
      method: 'POST',
      url: '/api/signup',
      body: { team_name: 'x'.repeat(129), sender_name: 'a' },
    })
    expect(long).toMatchObject({ status: 400, json: { code: 'FIELD_TOO_LARGE' } })
  })

  it('lists its endpoints and serves an OpenAPI document built from the schemas', async () => {
    const info = await call(api.app, { url: '/api' })
    expect(info.json.endpoints).toContainEqual(
      expect.objectContaining({ method: 'DELETE', path: '/api/keys/{key_id}' }),
    )
    const doc = await call(api.app, { url: '/api/openapi.json' })
    expect(doc.json.openapi).toBe('3.1.0')
    const post = doc.json.paths['/api/channels/{channel}/messages'].post
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['content'])
    expect(post.parameters[0]).toMatchObject({ name: 'channel', in: 'path', required: true })
    const read = doc.json.paths['/api/channels/{channel}/messages'].get
    expect(read.parameters.map((p: { name: string }) => p.name)).toContain('limit')
    const page = read.responses['200'].content['application/json'].schema
    expect(page.required).toEqual(
      expect.arrayContaining(['messages', 'next_after_id', 'has_more', 'channel']),
    )
    const stream = doc.json.paths['/api/channels/{channel}/stream'].get
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream'])
    expect(doc.json.paths['/api/keys/{key_id}'].delete.responses['204']).toBeDefined()
    const ops = Object.values(doc.json.paths).flatMap((p) =>
      Object.values(p as Record<string, { operationId: string }>),
    )
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length)
  })
})

describe('auth', () => {
  it('takes Bearer, X-Api-Key and ?token=', async () => {
    expect(
      (await call(api.app, { url: '/api/channels', headers: { authorization: `bearer ${api.key}` } })).status,
    ).toBe(200)
    expect((await call(api.app, { url: '/api/channels', headers: { 'x-api-key': api.key } })).status).toBe(
      200,
    )
    expect((await call(api.app, { url: `/api/channels?token=${api.key}` })).status).toBe(200)
  })

  it('answers 401 before anything else', async () => {
    expect(await call(api.app, { url: '/api/channels/NOT%20valid/messages' })).toMatchObject({
      status: 401,
      json: { code: 'MISSING_API_KEY', error: 'Missing API key' },
    })
    expect(await call(api.app, { url: '/api/channels', key: 'relay_nope' })).toMatchObject({
      status: 401,
      json: { code: 'INVALID_API_KEY' },
    })
    expect(await call(api.app, { url: '/api/channels', key: 'x'.repeat(5000) })).toMatchObject({
      status: 401,
    })
  })
})

describe('validation', () => {
  it('checks the channel name (SPEC: lower-case, at most 64) after auth', async () => {
    for (const name of ['General', 'a'.repeat(65), '-x', 'a%20b']) {
      expect(await admin().get(`/api/channels/${name}/messages`)).toMatchObject({
        status: 400,
        json: { code: 'INVALID_CHANNEL_NAME' },
      })
    }
    expect(await admin().post('/api/channels', { name: 'Upper' })).toMatchObject({
      status: 400,
      json: { code: 'INVALID_CHANNEL_NAME' },
    })
    expect(await admin().post('/api/channels', {})).toMatchObject({
      status: 400,
      json: { code: 'MISSING_FIELDS' },
    })
  })

  it('maps bodies to the seed codes', async () => {
    const url = `/api/channels/${unique('v')}/messages`
    const cases: Array<[unknown, number, string]> = [
      ['{bad json', 400, 'INVALID_JSON'],
      ['[1]', 400, 'INVALID_JSON'],
      [{}, 400, 'MISSING_FIELDS'],
      [{ content: '' }, 400, 'MISSING_FIELDS'],
      [{ content: null }, 400, 'MISSING_FIELDS'],
      [{ content: 42 }, 400, 'INVALID_JSON'],
      [{ content: 'x'.repeat(32769) }, 413, 'CONTENT_TOO_LARGE'],
      [{ content: 'é'.repeat(16385) }, 413, 'CONTENT_TOO_LARGE'],
      ['{"content":"\\ud800"}', 400, 'INVALID_CONTENT'],
      [{ content: 'x', thread_id: 'nope' }, 400, 'INVALID_CURSOR'],
      [{ content: 'x', thread_id: '9999999999999-0' }, 404, 'THREAD_PARENT_NOT_FOUND'],
      [{ content: 'x', mention: 'm'.repeat(129) }, 400, 'FIELD_TOO_LARGE'],
    ]
    for (const [body, status, code] of cases) {
      const res = await admin().post(url, body)
      expect({ body, status: res.status, code: res.json.code }).toEqual({ body, status, code })
      expect(typeof res.json.error).toBe('string')
    }
    expect((await admin().post(url, { content: 'é'.repeat(16384) })).status).toBe(201)
  })

  it('refuses bodies that are too large, not UTF-8, or not JSON-ish', async () => {
    const url = `/api/channels/${unique('v')}/messages`
    const huge = JSON.stringify({ content: 'x'.repeat(300 * 1024) })
    expect(await admin().post(url, huge)).toMatchObject({ status: 413, json: { code: 'CONTENT_TOO_LARGE' } })
    expect(await admin().put(`/api/channels/${unique('v')}/status`, huge)).toMatchObject({
      status: 413,
      json: { code: 'BODY_TOO_LARGE' },
    })
    const res = await api.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0x63, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'INVALID_JSON' })
    const multipart = await call(api.app, {
      method: 'POST',
      url,
      key: api.key,
      body: 'x',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    })
    expect(multipart).toMatchObject({ status: 415, json: { code: 'UNSUPPORTED_MEDIA_TYPE' } })
    // `curl -d` sends form-encoding; the seed decoded JSON regardless
    const form = await call(api.app, {
      method: 'POST',
      url,
      key: api.key,
      body: '{"content":"from curl"}',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(form.status).toBe(201)
    const empty = await call(api.app, {
      method: 'POST',
      url,
      key: api.key,
      headers: { 'content-type': 'application/json' },
    })
    expect(empty).toMatchObject({ status: 400, json: { code: 'INVALID_JSON' } })
  })

  it('maps queries to the seed codes', async () => {
    const url = `/api/channels/${unique('q')}/messages`
    for (const limit of ['0', '-1', '101', 'abc', '1.5']) {
      expect(await admin().get(`${url}?limit=${limit}`)).toMatchObject({
        status: 400,
        json: { code: 'INVALID_LIMIT' },
      })
    }
    expect(await admin().get(`${url}?after_id=bad`)).toMatchObject({
      status: 400,
      json: { code: 'INVALID_CURSOR' },
    })
    expect(await admin().get(`${url}?thread_id=bad`)).toMatchObject({
      status: 400,
      json: { code: 'INVALID_CURSOR' },
    })
    for (const q of ['after_id=0-0', 'after_id=0', 'after_id=', 'limit=100', 'limit=']) {
      expect((await admin().get(`${url}?${q}`)).status).toBe(200)
    }
  })

  it('answers a malformed URL with a JSON 400', async () => {
    const res = await call(api.app, { url: '/api/channels/%E0%A4%A/messages', key: api.key })
    expect(res.status).toBe(400)
    expect(res.json.code).toMatch(/^(BAD_REQUEST|INVALID_CHANNEL_NAME)$/)
  })
})

describe('messages and threads', () => {
  it('posts, pages, threads and deletes', async () => {
    const ch = `/api/channels/${unique('m')}`
    const first = await admin().post(`${ch}/messages`, { content: 'one', mention: 'bob' })
    expect(first).toMatchObject({
      status: 201,
      json: { content: 'one', mention: 'bob', thread_id: null, sender: 'alice' },
    })
    const second = await admin().post(`${ch}/messages`, { content: 'two' })
    const reply = await admin().post(`${ch}/messages`, { content: 're', thread_id: first.json.id })
    expect(reply).toMatchObject({ status: 201, json: { thread_id: first.json.id } })

    const page = await admin().get(`${ch}/messages?after_id=0&limit=1`)
    expect(page.json).toMatchObject({ has_more: true, messages: [{ id: first.json.id }] })
    const mentions = await admin().get(`${ch}/messages?mention=bob`)
    expect(mentions.json.messages.map((m: { id: string }) => m.id)).toEqual([first.json.id])

    const thread = await admin().get(`${ch}/threads/${first.json.id}`)
    expect(thread.json.parent).toMatchObject({ id: first.json.id, reply_count: 1 })
    expect(thread.json.replies).toHaveLength(1)
    expect(await admin().get(`${ch}/threads/9999999999999-0`)).toMatchObject({
      status: 404,
      json: { code: 'MESSAGE_NOT_FOUND' },
    })
    expect(await admin().get(`${ch}/threads/bad`)).toMatchObject({
      status: 400,
      json: { code: 'INVALID_CURSOR' },
    })

    // the seed's SDK sends Content-Type: application/json on DELETE too, with no body
    const del = await call(api.app, {
      method: 'DELETE',
      url: `${ch}/messages/${second.json.id}`,
      key: api.key,
      headers: { 'content-type': 'application/json' },
    })
    expect(del.status).toBe(204)
    expect(await admin().del(`${ch}/messages/9999999999-0`)).toMatchObject({
      status: 404,
      json: { code: 'MESSAGE_NOT_FOUND' },
    })
    expect(await admin().del(`${ch}/messages/badid`)).toMatchObject({
      status: 400,
      json: { code: 'INVALID_CURSOR' },
    })
  })
})

describe('permissions', () => {
  it('enforces read/write/admin per channel and audits every denial', async () => {
    const name = unique('p')
    await admin().post('/api/channels', { name })
    const reader = await newKey('reader', { [name]: 'read' })
    expect((await as(reader).get(`/api/channels/${name}/messages`)).status).toBe(200)
    const denied = await as(reader).post(`/api/channels/${name}/messages`, { content: 'x' })
    expect(denied).toMatchObject({ status: 403, json: { code: 'FORBIDDEN' } })
    expect(await as(reader).get('/api/keys')).toMatchObject({ status: 403, json: { code: 'FORBIDDEN' } })
    expect(await as(reader).post('/api/channels', { name: unique('n') })).toMatchObject({ status: 403 })
    expect((await as(reader).get('/api/channels')).json.map((c: { name: string }) => c.name)).toEqual([name])

    const audit = await admin().get('/api/audit?limit=10')
    expect(audit.status).toBe(200)
    const entry = audit.json.entries.find(
      (e: { action: string }) => e.action === `POST /api/channels/${name}/messages`,
    )
    expect(entry).toMatchObject({ sender_name: 'reader', channel: name, result: 'denied' })
    // the id GET /api/keys lists, as the seed (never the secret)
    const keys = await admin().get('/api/keys')
    expect(entry.key_hash).toBe(keys.json.find((k: { sender: string }) => k.sender === 'reader').key)
    expect(JSON.stringify(audit.json)).not.toContain(reader)
    expect(
      audit.json.entries.some(
        (e: { action: string; channel: string }) => e.action === 'GET /api/keys' && e.channel === '*',
      ),
    ).toBe(true)
  })

  it('grants nothing with an empty map, and a channel entry overrides "*"', async () => {
    const name = unique('p')
    const nothing = await newKey('nobody', {})
    expect((await as(nothing).get(`/api/channels/${name}/messages`)).status).toBe(403)
    expect(await as(nothing).get('/api/channels')).toMatchObject({ status: 200, json: [] })
    const mostly = await newKey('mostly', { '*': 'admin', [name]: 'read' })
    expect((await as(mostly).post(`/api/channels/${name}/messages`, { content: 'x' })).status).toBe(403)
    expect((await as(mostly).post(`/api/channels/${unique('o')}/messages`, { content: 'x' })).status).toBe(
      201,
    )
  })

  it('lets a writer delete its own messages only, an admin any', async () => {
    const name = unique('d')
    const writer = await newKey('writer', { [name]: 'write' })
    const own = await as(writer).post(`/api/channels/${name}/messages`, { content: 'mine' })
    const other = await admin().post(`/api/channels/${name}/messages`, { content: 'theirs' })
    expect((await as(writer).del(`/api/channels/${name}/messages/${own.json.id}`)).status).toBe(204)
    expect(await as(writer).del(`/api/channels/${name}/messages/${other.json.id}`)).toMatchObject({
      status: 403,
      json: { code: 'FORBIDDEN' },
    })
    const again = await as(writer).post(`/api/channels/${name}/messages`, { content: 'again' })
    expect((await admin().del(`/api/channels/${name}/messages/${again.json.id}`)).status).toBe(204)
    const audit = await admin().get('/api/audit?result=denied')
    expect(
      audit.json.entries.some(
        (e: { action: string; sender_name: string }) =>
          e.action === `DELETE /api/channels/${name}/messages/${other.json.id}` && e.sender_name === 'writer',
      ),
    ).toBe(true)
  })
})

describe('keys', () => {
  it('creates, lists, re-permissions and revokes keys', async () => {
    const created = await admin().post('/api/keys', { sender_name: 'bot', permissions: { '*': 'read' } })
    expect(created).toMatchObject({ status: 201, json: { sender: 'bot', permissions: { '*': 'read' } } })
    const key = created.json.api_key as string
    const list = await admin().get('/api/keys')
    const info = list.json.find((k: { sender: string }) => k.sender === 'bot')
    expect(info).toMatchObject({ permissions: { '*': 'read' }, revoked: false })
    expect(JSON.stringify(list.json)).not.toContain(key)

    const name = unique('k')
    expect((await as(key).post(`/api/channels/${name}/messages`, { content: 'x' })).status).toBe(403)
    const put = await admin().put(`/api/keys/${info.key}/permissions`, { permissions: { [name]: 'write' } })
    expect(put).toMatchObject({ status: 200, json: { key: info.key, permissions: { [name]: 'write' } } })
    expect((await as(key).post(`/api/channels/${name}/messages`, { content: 'x' })).status).toBe(201)

    expect((await admin().del(`/api/keys/${info.key}`)).status).toBe(204)
    expect(await as(key).get('/api/channels')).toMatchObject({
      status: 401,
      json: { code: 'INVALID_API_KEY' },
    })
    expect(await admin().del('/api/keys/0123456789abcdef')).toMatchObject({
      status: 404,
      json: { code: 'KEY_NOT_FOUND' },
    })
    expect(await admin().put('/api/keys/zz/permissions', { permissions: {} })).toMatchObject({
      status: 404,
      json: { code: 'KEY_NOT_FOUND' },
    })
  })

  it('validates key requests', async () => {
    expect(await admin().post('/api/keys', {})).toMatchObject({
      status: 400,
      json: { code: 'MISSING_FIELDS' },
    })
    expect(await admin().post('/api/keys', { sender_name: 'x', permissions: { '*': 'root' } })).toMatchObject(
      {
        status: 400,
        json: { code: 'INVALID_PERMISSIONS' },
      },
    )
    expect(await admin().post('/api/keys', { sender_name: 'x', permissions: { Bad: 'read' } })).toMatchObject(
      {
        status: 400,
        json: { code: 'INVALID_PERMISSIONS' },
      },
    )
    expect(await admin().put('/api/keys/0123456789abcdef/permissions', {})).toMatchObject({
      status: 400,
      json: { code: 'MISSING_FIELDS', error: 'permissions is required' },
    })
  })
})

describe('channels', () => {
  it('creates (201, then 200), lists and deletes', async () => {
    const name = unique('c')
    expect(await admin().post('/api/channels', { name, description: 'hello' })).toMatchObject({
      status: 201,
      json: { name, description: 'hello' },
    })
    expect((await admin().post('/api/channels', { name })).status).toBe(200)
    expect((await admin().get('/api/channels')).json.map((c: { name: string }) => c.name)).toContain(name)
    expect((await admin().del(`/api/channels/${name}`)).status).toBe(204)
    expect(await admin().del(`/api/channels/${name}`)).toMatchObject({
      status: 404,
      json: { code: 'CHANNEL_NOT_FOUND' },
    })
  })
})

describe('acks and unread', () => {
  it('acks, lists acks, and counts unread without own messages', async () => {
    const name = unique('a')
    const bob = await newKey('bob', { [name]: 'write' })
    const m1 = await as(bob).post(`/api/channels/${name}/messages`, { content: '1' })
    await as(bob).post(`/api/channels/${name}/messages`, { content: '2' })
    await admin().post(`/api/channels/${name}/messages`, { content: 'own' })
    const unread = await admin().get(`/api/channels/${name}/unread`)
    expect(unread.json.messages.map((m: { content: string }) => m.content)).toEqual(['1', '2'])
    const ack = await admin().post(`/api/channels/${name}/ack`, { last_read_id: m1.json.id })
    expect(ack).toMatchObject({
      status: 200,
      json: { channel: name, sender: 'alice', last_read_id: m1.json.id },
    })
    expect((await admin().get(`/api/channels/${name}/unread`)).json.messages).toHaveLength(1)
    expect((await admin().get(`/api/channels/${name}/acks`)).json).toHaveLength(1)
    expect(await admin().post(`/api/channels/${name}/ack`, {})).toMatchObject({
      status: 400,
      json: { code: 'MISSING_FIELDS' },
    })
    expect(await admin().post(`/api/channels/${name}/ack`, { last_read_id: 'x' })).toMatchObject({
      status: 400,
      json: { code: 'INVALID_CURSOR' },
    })
    expect(await admin().get(`/api/channels/${name}/unread?limit=0`)).toMatchObject({
      status: 400,
      json: { code: 'INVALID_LIMIT' },
    })
  })
})

describe('status', () => {
  it('sets (PUT and POST), reads, logs changes and deletes', async () => {
    const name = unique('s')
    const ch = `/api/channels/${name}`
    expect(await admin().put(`${ch}/status`, { key: 'stage', value: 'build' })).toMatchObject({
      status: 200,
      json: { channel: name, key: 'stage', value: 'build', updated_by: 'alice' },
    })
    expect((await admin().post(`${ch}/status`, { key: 'stage', value: 'test' })).status).toBe(200)
    expect((await admin().put(`${ch}/status`, { key: 'empty' })).json.value).toBe('')
    expect((await admin().get(`${ch}/status?key=stage`)).json).toMatchObject([{ value: 'test' }])
    const changes = await admin().get(`${ch}/status/changes?after_id=0-0&limit=1`)
    expect(changes.json).toMatchObject({ has_more: true, changes: [{ key: 'stage', value: 'build' }] })
    expect((await admin().del(`${ch}/status/stage`)).status).toBe(204)
    expect(await admin().del(`${ch}/status/stage`)).toMatchObject({
      status: 404,
      json: { code: 'STATUS_NOT_FOUND' },
    })

    expect(await admin().put(`${ch}/status`, { value: 'v' })).toMatchObject({
      status: 400,
      json: { code: 'MISSING_FIELDS' },
    })
    expect(await admin().put(`${ch}/status`, { key: 'k'.repeat(257), value: 'v' })).toMatchObject({
      status: 400,
      json: { code: 'KEY_TOO_LARGE' },
    })
    expect(await admin().put(`${ch}/status`, { key: 'k', value: 'v'.repeat(32769) })).toMatchObject({
      status: 400,
      json: { code: 'VALUE_TOO_LARGE' },
    })
  })

  it('reads status across the channels the key may read', async () => {
    const open = unique('s')
    const closed = unique('s')
    await admin().put(`/api/channels/${open}/status`, { key: 'stage', value: 'a' })
    await admin().put(`/api/channels/${closed}/status`, { key: 'stage', value: 'b' })
    const all = await admin().get('/api/status?key=stage')
    expect(all.json.map((s: { channel: string }) => s.channel)).toEqual(
      expect.arrayContaining([open, closed]),
    )
    const reader = await newKey('reader', { [open]: 'read' })
    expect((await as(reader).get('/api/status')).json.map((s: { channel: string }) => s.channel)).toEqual([
      open,
    ])
    expect((await as(reader).get(`/api/status?channel=${closed}`)).json).toEqual([])
  })
})

describe('team settings', () => {
  it('refuses plaintext once encryption is required', async () => {
    const team = await call(api.app, {
      method: 'POST',
      url: '/api/signup',
      body: { team_name: unique('t'), sender_name: 'eve' },
    })
    const eve = as(team.json.api_key)
    expect(await eve.get('/api/team/settings')).toMatchObject({
      status: 200,
      json: { encryption_required: false },
    })
    expect(await eve.put('/api/team/settings', {})).toMatchObject({
      status: 400,
      json: { code: 'MISSING_FIELDS' },
    })
    expect((await eve.put('/api/team/settings', { encryption_required: true })).json).toEqual({
      encryption_required: true,
    })
    expect(await eve.post('/api/channels/x/messages', { content: 'plain' })).toMatchObject({
      status: 400,
      json: { code: 'ENCRYPTION_REQUIRED' },
    })
    expect((await eve.post('/api/channels/x/messages', { content: 'e2ee:AAAA' })).status).toBe(201)
  })
})

describe('quotas', () => {
  it('answers KEY_LIMIT_REACHED with 429 and Retry-After', async () => {
    const team = await call(api.app, {
      method: 'POST',
      url: '/api/signup',
      body: { team_name: unique('t'), sender_name: 'q' },
    })
    const q = as(team.json.api_key)
    let res = await q.post('/api/keys', { sender_name: 'k' })
    for (let i = 0; i < 30 && res.status === 201; i++)
      res = await q.post('/api/keys', { sender_name: `k${i}` })
    expect(res).toMatchObject({ status: 429, json: { code: 'KEY_LIMIT_REACHED' } })
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  })
})

describe('whoami', () => {
  it('tells a key who it is', async () => {
    const me = await admin().get('/api/whoami')
    expect(me).toMatchObject({ status: 200, json: { sender: 'alice', permissions: { '*': 'admin' } } })
    expect(typeof me.json.key_id).toBe('string')
    expect(JSON.stringify(me.json)).not.toContain(api.key)
  })
})

describe('server-wide encryption', () => {
  it('refuses plaintext content and status values when encryptionRequired is set', async () => {
    const strict = await startApi({ encryptionRequired: true })
    try {
      const s = (c: Parameters<typeof call>[1]) => call(strict.app, { key: strict.key, ...c })
      expect(
        await s({ method: 'POST', url: '/api/channels/e/messages', body: { content: 'plain' } }),
      ).toMatchObject({
        status: 400,
        json: { code: 'ENCRYPTION_REQUIRED' },
      })
      expect(
        (await s({ method: 'POST', url: '/api/channels/e/messages', body: { content: 'hf1:AAAA' } })).status,
      ).toBe(201)
      expect(
        await s({ method: 'PUT', url: '/api/channels/e/status', body: { key: 'k', value: 'plain' } }),
      ).toMatchObject({
        status: 400,
        json: { code: 'ENCRYPTION_REQUIRED' },
      })
      expect(
        (await s({ method: 'PUT', url: '/api/channels/e/status', body: { key: 'k', value: 'e2ee:AAAA' } }))
          .status,
      ).toBe(200)
    } finally {
      await strict.close()
    }
  })
})
