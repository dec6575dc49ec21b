// The relay's own routes (node sync, pairing boxes) are described by GET /api/openapi.json and
// listed by GET /api like the API's, from the zod schemas that validate them (relay/routes/schemas.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, type RunningRelay, startRelay, stopAllRelays } from './relays.js'

type Op = {
  operationId: string
  parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>
  requestBody?: { content: Record<string, { schema: Record<string, any> }> }
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: Record<string, any> }> }
  >
  security?: unknown[]
}

const RELAY_ROUTES: Array<[string, string]> = [
  ['/api/sync/envelopes', 'post'],
  ['/api/sync/{space}/envelopes', 'get'],
  ['/api/sync/{space}/stream', 'get'],
  ['/api/pair/{box}', 'put'],
  ['/api/pair/{box}', 'delete'],
  ['/api/pair/{box}/{side}', 'post'],
  ['/api/pair/{box}/{side}', 'get'],
]

describe('the relay routes in the API description', () => {
  let relay: RunningRelay
  let paths: Record<string, Record<string, Op>>
  const op = (path: string, method: string): Op => {
    const found = paths[path]?.[method]
    if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the OpenAPI document`)
    return found
  }
  const jsonOf = (o: Op, status: string) => o.responses[status]?.content?.['application/json']?.schema
  const bodyOf = (o: Op) => o.requestBody?.content['application/json']?.schema

  beforeAll(async () => {
    relay = await startRelay()
    const doc = await call(relay.url, 'GET', '/api/openapi.json')
    expect(doc.status).toBe(200)
    paths = doc.body.paths
  })
  afterAll(() => stopAllRelays())

  it('has every sync and pairing path with its method, and a unique operation id', async () => {
    for (const [path, method] of RELAY_ROUTES) expect(paths[path], path).toHaveProperty(method)
    const ids = Object.values(paths).flatMap((p) => Object.values(p).map((o) => o.operationId))
    expect(new Set(ids).size).toBe(ids.length)
    // GET /api lists them too, the key-less pairing routes as such
    const endpoints = (await call(relay.url, 'GET', '/api')).body.endpoints as Array<Record<string, unknown>>
    for (const [path, method] of RELAY_ROUTES) {
      expect(endpoints).toContainEqual(expect.objectContaining({ method: method.toUpperCase(), path }))
    }
    expect(endpoints.find((e) => e.path === '/api/pair/{box}/{side}')).toMatchObject({ auth: false })
    expect(endpoints.find((e) => e.path === '/api/pair/{box}')).not.toHaveProperty('auth')
  })

  it('describes the sync requests and answers', () => {
    const push = op('/api/sync/envelopes', 'post')
    const pushBody = bodyOf(push)
    expect(pushBody?.required).toEqual(['envelopes'])
    expect(pushBody?.properties.envelopes).toMatchObject({ type: 'array', minItems: 1, maxItems: 100 })
    expect(jsonOf(push, '200')?.properties.results.items.required).toEqual(['id', 'cursor', 'duplicate'])

    const pull = op('/api/sync/{space}/envelopes', 'get')
    expect(pull.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['space', 'path', true],
      ['after', 'query', false],
      ['limit', 'query', false],
    ])
    expect(pull.parameters[0]?.schema).toMatchObject({ type: 'string', pattern: '^[0-9a-f]{64}$' })
    const page = jsonOf(pull, '200')
    expect(page?.required).toEqual(['envelopes', 'next_cursor', 'has_more'])
    expect(page?.properties.envelopes.items.properties.header.required).toContain('team')

    const stream = op('/api/sync/{space}/stream', 'get')
    expect(stream.parameters.map((p) => p.name)).toEqual(['space', 'after'])
    expect(Object.keys(stream.responses['200']?.content ?? {})).toEqual(['text/event-stream'])
    // its events are envelopes, not a channel's messages
    expect(stream.responses['200']?.description).toContain('`envelope`')
    expect(stream.responses['200']?.description).not.toContain('message')
    // key-only routes: the document's default security applies
    for (const o of [push, pull, stream]) expect(o.security).toBeUndefined()
  })

  it('describes the pairing requests and answers; reads and writes need no key', () => {
    const open = op('/api/pair/{box}', 'put')
    expect(open.parameters.map((p) => [p.name, p.in])).toEqual([['box', 'path']])
    expect(open.parameters[0]?.schema).toMatchObject({ pattern: '^[0-9a-f]{64}$' })
    expect(bodyOf(open)).toMatchObject({ required: ['expires_at'] })
    expect(jsonOf(open, '200')?.required).toEqual(['box', 'expires_at'])
    expect(jsonOf(op('/api/pair/{box}', 'delete'), '200')?.required).toEqual(['closed'])

    const append = op('/api/pair/{box}/{side}', 'post')
    expect(append.security).toEqual([])
    expect(append.parameters.map((p) => p.name)).toEqual(['box', 'side'])
    expect(append.parameters[1]?.schema).toMatchObject({ enum: ['i', 'j'] })
    expect(bodyOf(append)?.properties.frames).toMatchObject({ type: 'array', minItems: 1, maxItems: 64 })
    expect(jsonOf(append, '201')?.required).toEqual(['appended'])

    const read = op('/api/pair/{box}/{side}', 'get')
    expect(read.security).toEqual([])
    expect(read.parameters.map((p) => p.name)).toEqual(['box', 'side', 'after'])
    expect(jsonOf(read, '200')?.required).toEqual(['frames', 'next_after'])
  })
})
