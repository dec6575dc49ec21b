// Redis goes away and comes back (same port, append-only file): requests answer 503
// UNAVAILABLE meanwhile, readiness follows, and an open subscription resumes without a gap.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../test/support/redis-server.js'
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
  await stopRedis()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('Redis outage', () => {
  it('answers UNAVAILABLE while Redis is down and resumes streams after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'handoff-outage-'))
    const port = await freePort()
    await startRedis(port)
    const store = await RedisStore.connect({ url: `redis://127.0.0.1:${port}` })
    try {
      const { team } = await store.signup('outage', 'alice')
      const got: string[] = []
      const sub = await store.subscribe(team.id, 'ch', null, (e) => {
        got.push(e.id)
      })
      const post = (content: string) =>
        store.postMessage(team.id, 'ch', 'alice', { content, mention: null, thread_id: null })
      const m1 = await post('before')
      await waitFor(() => got.length === 1, 5_000, 'first event')

      await stopRedis()
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
      expect(got).toEqual([m1.id, m2.id])
      await sub.close()
    } finally {
      await store.close()
    }
  })
})
