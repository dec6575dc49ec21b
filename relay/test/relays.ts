// Real relays for the HTTP tests: buildRelay on loopback ports over the private test Redis, and
// a tiny JSON client. Several relays may run at once on the same Redis (scale-out tests).
import { buildRelay, type Relay, type RelayOptions } from '../app.js'
import { redisUrl } from './helpers.js'

export interface RunningRelay extends Relay {
  url: string
  port: number
}

const running = new Set<RunningRelay>()

export async function startRelay(port = 0, overrides: Partial<RelayOptions> = {}): Promise<RunningRelay> {
  const relay = await buildRelay({
    redisUrl: redisUrl(),
    rateLimitMax: 100_000,
    signupRateLimit: { max: 1000, timeWindow: 3_600_000 },
    sse: { maxPerKey: 50, heartbeatMs: 1_000 },
    ...overrides,
  })
  const address = await relay.app.listen({ port, host: '127.0.0.1' })
  const actual = Number(new URL(address).port)
  const r = { ...relay, url: `http://127.0.0.1:${actual}`, port: actual }
  running.add(r)
  return r
}

export async function stopRelay(r: RunningRelay): Promise<void> {
  running.delete(r)
  await r.app.close()
}

export async function stopAllRelays(): Promise<void> {
  await Promise.all([...running].map(stopRelay))
}

export interface Res {
  status: number
  body: any
}

export async function call(
  url: string,
  method: string,
  path: string,
  key?: string,
  json?: unknown,
): Promise<Res> {
  const headers: Record<string, string> = {}
  if (key) headers.authorization = `Bearer ${key}`
  if (json !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

export async function signup(url: string, team = 'team'): Promise<string> {
  const res = await call(url, 'POST', '/api/signup', undefined, { team_name: team, sender_name: 'admin' })
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.api_key as string
}
