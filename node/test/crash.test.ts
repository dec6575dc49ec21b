// Durability: `handoff node` (the built CLI, as a child process) is killed with SIGKILL in the
// middle of a burst of writes; after a restart every write the API acknowledged is there.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../test/support/redis-server.js'
import { Api, eventually, startTestnet, type Testnet, tempDir } from './helpers.js'

const CLI = join(import.meta.dirname, '../../dist/cli.js')

describe('kill -9 during writes', () => {
  let testnet: Testnet
  let dir: string
  let child: ChildProcess | null = null

  beforeAll(async () => {
    testnet = await startTestnet()
    dir = await tempDir('handoff-crash-')
  })

  afterAll(async () => {
    child?.kill('SIGKILL')
    await testnet?.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  async function start(port: number): Promise<Api> {
    const bootstrap = testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')
    child = spawn(
      process.execPath,
      [CLI, 'node', '--data', dir, '--port', String(port), '--bootstrap', bootstrap],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const url = `http://127.0.0.1:${port}`
    await eventually(async () => {
      if (child?.exitCode !== null) throw new Error(`node exited: ${stderr}`)
      const res = await fetch(`${url}/healthz`)
      expect(res.status).toBe(200)
    }, 60_000) // a cold CLI start on a loaded 2-core machine
    return new Api(url, (await readFile(join(dir, 'api-key'), 'utf8')).trim())
  }

  it('every acknowledged write survives', { timeout: 180_000 }, async () => {
    expect(existsSync(CLI), 'dist/cli.js: run `npm run build` first').toBe(true)
    const port = await freePort()
    const api = await start(port)
    const acked: string[] = []
    let stop = false
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const m = await api.ok('POST', '/api/channels/burst/messages', { content: `w${w}-${i}` })
          acked.push(m.id)
        } catch {
          return // the node died under us: this write was never acknowledged
        }
      }
    }
    const writers = [0, 1, 2, 3].map(writer)
    await eventually(async () => expect(acked.length).toBeGreaterThan(40))
    const exited = new Promise((r) => child?.once('exit', r))
    child?.kill('SIGKILL')
    stop = true
    await Promise.all(writers)
    await exited

    const again = await start(port)
    const seen = new Set<string>()
    let after = '0'
    for (;;) {
      const page = await again.ok('GET', `/api/channels/burst/messages?after_id=${after}&limit=100`)
      for (const m of page.messages) seen.add(m.id)
      if (!page.has_more) break
      after = page.next_after_id
    }
    expect(acked.length).toBeGreaterThan(40)
    for (const id of acked) expect(seen.has(id), `acknowledged ${id}`).toBe(true)
    const stopped = new Promise((r) => child?.once('exit', r))
    child?.kill('SIGTERM')
    await stopped
    child = null
  })
})
