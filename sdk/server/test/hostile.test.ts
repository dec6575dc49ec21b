// Nothing a client sends may cause a 5xx: every route listed by GET /api, with mistyped,
// malformed and extreme bodies and queries, against the real store.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { call, startApi, type TestApi } from './helpers.js'

let api: TestApi
beforeAll(async () => {
  api = await startApi()
})
afterAll(() => api.close())

const BODIES: unknown[] = [
  '',
  'null',
  '[]',
  '"text"',
  '123',
  'true',
  '{"a":',
  '{"content":{},"key":[],"value":{},"name":1,"sender_name":false,"last_read_id":{},"permissions":"admin"}',
  '{"content":"x","thread_id":"18446744073709551616-0","mention":{"a":1}}',
  '{"permissions":{"__proto__":"admin","constructor":"read"}}',
  '{"permissions":{"*":"admin","a":null}}',
  '{"name":"a","description":123}',
  '{"key":"k","value":null}',
  '{"last_read_id":"99999999999999999999-99999999999999999999"}',
  '{"encryption_required":"yes"}',
  `{"content":"${'\\u0000'.repeat(100)}"}`,
  JSON.stringify({ content: '\u2028\u2029\r\n' }),
  '['.repeat(5000) + ']'.repeat(5000),
]

const QUERIES = [
  '',
  '?limit=1e3',
  '?limit=100&limit=1',
  '?after_id=99999999999999999999-0',
  '?after_id=00000000000000000000-0',
  '?thread_id=1-0&mention=&sender=%00',
  '?key=%FF',
  '?last_event_id=1-1&result=denied&channel=..%2Fx',
]

function concrete(path: string): string {
  return path
    .replace('{channel}', 'fuzz')
    .replace('{id}', '1-0')
    .replace('{key_id}', '0123456789abcdef')
    .replace('{key}', 'k')
}

it('never answers a 5xx, whatever the body or query', async () => {
  const list = await call(api.app, { url: '/api' })
  const endpoints = (list.json.endpoints as Array<{ method: string; path: string }>).filter(
    (e) => !e.path.endsWith('/stream') && e.path !== '/api/signup',
  )
  expect(endpoints.length).toBeGreaterThan(25)
  const failures: string[] = []
  for (const e of endpoints) {
    const url = concrete(e.path)
    const requests =
      e.method === 'GET' || e.method === 'DELETE'
        ? QUERIES.map((q) => ({ url: url + q, body: undefined as unknown }))
        : BODIES.map((body) => ({ url, body }))
    for (const r of requests) {
      const res = await call(api.app, {
        method: e.method as 'GET',
        url: r.url,
        key: api.key,
        ...(r.body !== undefined ? { body: r.body } : {}),
      })
      if (res.status >= 500)
        failures.push(`${e.method} ${r.url} ${String(r.body).slice(0, 80)} -> ${res.status}`)
      else if (res.status >= 400)
        expect(res.json).toEqual({ error: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/) })
    }
  }
  expect(failures).toEqual([])
})
