// Redis goes away and comes back (same port, append-only file): requests answer 503
// UNAVAILABLE meanwhile, readiness follows, and an open subscription resumes without a gap; an
// open SSE stream is told: it ends with a last `error` event (UNAVAILABLE) carrying its last id.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { closeAllStreams, openStream } from '../../test/conformance/sse.js'
import { freePort } from '../../test/support/redis-server.js'
import { buildRelay } from '../app.js'
import { RedisStore } from '../store/redis-store.js'
import { waitFor } from './helpers.js'

let child: ChildProcess | undefined
let dir = ''

async function startRedis(port: number): Promise<void> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  child = proc
  await new Promise<void>((resolve, reject) => {
    let out = ''
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('Ready to accept connections')) resolve()
    })
    proc.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)))
  })
}

async function stopRedis(): Promise<void> {
  const proc = child
  if (!proc || proc.exitCode !== null) return
  const exited = new Promise((r) => proc.once('exit', r))
  proc.kill('SIGTERM')
  await exited
}

afterAll(async () => {
  closeAllStreams()
  await stopRedis()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('Redis outage', () => {
  it('answers UNAVAILABLE while Redis is down and resumes streams after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'handoff-outage-'))
    const port = await freePort()
    await startRedis(port)
    const store = await RedisStore.connect({ url: `redis://127.0.0.1:${port}` })
    const errors: Error[] = []
    try {
      const { team } = await store.signup('outage', 'alice')
      const got: string[] = []
      const sub = await store.subscribe(
        team.id,
        'ch',
        null,
        (e) => {
          got.push(e.id)
        },
        (err) => errors.push(err),
      )
      const post = (content: string) =>
        store.postMessage(team.id, 'ch', 'alice', { content, mention: null, thread_id: null })
      const m1 = await post('before')
      await waitFor(() => got.length === 1, 5_000, 'first event')

      await stopRedis()
      // the open subscription is told once that it cannot deliver for now
      await waitFor(() => errors.length === 1, 5_000, 'onError')
      expect(errors[0]).toMatchObject({ code: 'UNAVAILABLE', status: 503 })
      await expect(post('during')).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 503 })
      expect(await store.isReady()).toBe(false)
      // a new stream cannot start: UNAVAILABLE within seconds, not a hang
      await expect(store.subscribe(team.id, 'other', null, () => {})).rejects.toMatchObject({
        code: 'UNAVAILABLE',
      })

      await startRedis(port)
      await waitFor(() => store.redis.status === 'ready', 10_000, 'reconnect')
      expect(await store.isReady()).toBe(true)
      const m2 = await post('after')
      await waitFor(() => got.length === 2, 10_000, 'event after the outage')
      // ...and, kept open, it still resumes without a gap
      expect(got).toEqual([m1.id, m2.id])
      expect(errors).toHaveLength(1)
      await sub.close()
    } finally {
      await store.close()
    }
  })
})

describe('Redis outage under an open SSE stream', () => {
  it('ends the stream with a last error event (UNAVAILABLE) instead of hanging', async () => {
    await stopRedis()
    dir ||= await mkdtemp(join(tmpdir(), 'handoff-outage-'))
    const port = await freePort()
    await startRedis(port)
    const { app } = await buildRelay({ redisUrl: `redis://127.0.0.1:${port}`, sse: { heartbeatMs: 500 } })
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' })
      const signup = await app.inject({
        method: 'POST',
        url: '/api/signup',
        payload: { team_name: 'outage', sender_name: 'alice' },
      })
      const key = signup.json().api_key as string
      const stream = await openStream(`${base}/api/channels/ch/stream?token=${key}`)
      expect(stream.status).toBe(200)
      const posted = await app.inject({
        method: 'POST',
        url: '/api/channels/ch/messages',
        headers: { authorization: `Bearer ${key}` },
        payload: { content: 'before' },
      })
      expect(posted.statusCode).toBe(201)
      await stream.waitFor((e) => e.event === 'message')

      await stopRedis()
      const last = await stream.waitFor((e) => e.event === 'error', 5_000)
      expect(last.json).toMatchObject({ code: 'UNAVAILABLE' })
      // the last event carries the last delivered id: a client resumes after it, no gap
      expect(last.id).toBe(posted.json().id)
      await stream.waitForEnd(5_000)
    } finally {
      await app.close()
    }
  })
})
