// The OpenAPI 3.1 document of GET /api/openapi.json, generated from the same zod schemas that
// validate requests (and the response schemas of sdk/api/responses.ts), so it cannot drift from
// what the server accepts.
import { z } from 'zod'
import { ERROR_STATUS } from '../api/errors.js'
import type { RouteDoc } from './route.js'

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>
  delete out.$schema
  return out
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return []
  const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] }
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }))
}

function success(r: RouteDoc, status: string): Record<string, unknown> {
  if (status === '204') return { description: 'No content' }
  if (r.url.endsWith('/stream')) {
    // the route's summary names its events: a channel's, or the relay's node-sync `envelope`
    return {
      description: `${r.summary}; a stream ends with an \`error\` or \`shutdown\` event (docs/api.md)`,
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    }
  }
  if (!r.response) return { description: 'OK' }
  return { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'a readable message' },
    code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
  },
}

export function openApiDocument(routes: RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}')
    const status = String(r.status ?? 200)
    const op: Record<string, unknown> = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      responses: {
        [status]: success(r, status),
        default: {
          description: 'An error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    }
    if (r.access.kind === 'public') op.security = []
    if (r.body)
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } }
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: op }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Handoff API',
      version,
      description: 'Wire-compatible with handoff-sdk v1.3.2; see docs/api.md',
    },
    security: [{ bearer: [] }, { apiKeyHeader: [] }, { token: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        token: { type: 'apiKey', in: 'query', name: 'token' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  }
}
