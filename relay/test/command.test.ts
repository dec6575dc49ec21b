// `handoff relay` as a process: starts on the given port, serves, and on SIGTERM ends open
// streams with a last `shutdown` event and exits 0; with Redis unreachable it prints one line
// and exits 1; bad settings exit 2.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { closeAllStreams, openStream } from '../../test/conformance/sse.js'
import { freePort } from '../../test/support/redis-server.js'
import { closeStores, newStore, redisUrl } from './helpers.js'
import { call } from './relays.js'

const cli = fileURLToPath(new URL('../../cli.ts', import.meta.url))
const children = new Set<ChildProcess>()

function runCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exit, out: () => stdout, err: () => stderr }
}

// generous: a CI run on a loaded 2-core machine has been seen to need over 20 s to start a process
async function waitListening(url: string, timeoutMs = 45_000): Promise<void> {
  const start = Date.now()
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    if (Date.now() - start > timeoutMs) throw new Error('relay did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
}

afterEach(async () => {
  await closeStores()
  closeAllStreams()
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  children.clear()
})

describe('handoff relay', { timeout: 60_000 }, () => {
  it('serves on --port, then shuts down gracefully on SIGTERM', async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const run = runCli(['relay', '--port', String(port), '--host', '127.0.0.1'], {
      REDIS_URL: redisUrl(),
      RATE_LIMIT_MAX: '1000',
    })
    await waitListening(url)
    // the team is made through the store: this relay keeps the seed's 10 signups per IP per hour,
    // and other tests on the same Redis share that counter
    const key = (await (await newStore()).signup('cli', 'alice')).api_key
    const stream = await openStream(`${url}/api/channels/bye/stream?token=${key}`)
    const posted = await call(url, 'POST', '/api/channels/bye/messages', key, { content: 'last words' })
    await stream.waitFor((e) => e.event === 'message')
    run.child.kill('SIGTERM')
    const shutdown = await stream.waitFor((e) => e.event === 'shutdown', 10_000)
    expect(shutdown.id).toBe(posted.body.id)
    expect(await run.exit).toBe(0)
    expect(run.out()).toContain('relay listening on')
    expect(run.out()).toContain('relay stopped')
  })

  it('exits 1 with one readable line when Redis is unreachable', async () => {
    const dead = await freePort()
    const run = runCli(['relay', '--port', '0'], { REDIS_URL: `redis://127.0.0.1:${dead}` })
    expect(await run.exit).toBe(1)
    const lines = run.err().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^handoff: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/?: .*ECONNREFUSED/)
  })

  it('exits 2 on bad settings', async () => {
    const run = runCli(['relay', '--port', 'http'], { REDIS_URL: redisUrl() })
    const env = runCli(['relay', '--port', '0'], { REDIS_URL: redisUrl(), RATE_LIMIT_MAX: 'lots' })
    expect(await run.exit).toBe(2)
    expect(run.err()).toMatch(/--port/)
    expect(await env.exit).toBe(2)
    expect(env.err()).toMatch(/RATE_LIMIT_MAX/)
  })
})
