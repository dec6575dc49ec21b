// The node's commands as a user runs them (the built CLI): node, invite, join, status, with their
// output, --json and exit codes (0 ok, 1 runtime failure, 2 usage).
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestnet, type Testnet, tempDir } from './helpers.js'

const CLI = join(import.meta.dirname, '../../dist/cli.js')

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

describe('handoff node / invite / join / status', { timeout: 180_000 }, () => {
  let testnet: Testnet
  let bootstrap: string
  const dirs: string[] = []
  const children: ChildProcess[] = []

  beforeAll(async () => {
    testnet = await startTestnet()
    bootstrap = testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')
  })

  afterAll(async () => {
    await Promise.all(
      children.map((c) =>
        c.exitCode === null ? new Promise((r) => c.once('exit', r).kill('SIGTERM')) : null,
      ),
    )
    await testnet?.destroy()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  async function dir(): Promise<string> {
    const d = await tempDir('handoff-cli-')
    dirs.push(d)
    return d
  }

  async function startNodeCli(data: string): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      [CLI, 'node', '--data', data, '--port', '0', '--bootstrap', bootstrap],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    children.push(child)
    let stdout = ''
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    await eventually(async () => expect(stdout).toContain('Press Ctrl-C to stop.'), 60_000)
    return child
  }

  it('creates a team, invites, joins, reports status, stops on SIGINT', async () => {
    const a = await dir()
    const b = await dir()
    const nodeA = await startNodeCli(a)

    const invite = await run(['invite', 'bob', '--data', a, '--json'])
    expect(invite.code).toBe(0)
    const { code, expires_at } = JSON.parse(invite.stdout)
    expect(typeof code).toBe('string')
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now())

    const joined = await run(['join', code, '--data', b, '--bootstrap', bootstrap, '--json'])
    expect(joined.code, joined.stderr).toBe(0)
    expect(JSON.parse(joined.stdout)).toMatchObject({ name: 'bob', role: 'member' })

    await startNodeCli(b)
    const status = await run(['status', '--data', b, '--json'])
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({
      member: { name: 'bob', role: 'member' },
      writable: true,
    })
    const human = await run(['status', '--data', a])
    expect(human.stdout).toContain('(admin)')

    const exited = new Promise<number | null>((r) => nodeA.once('exit', (c) => r(c)))
    nodeA.kill('SIGINT')
    expect(await exited).toBe(0)
    const gone = await run(['status', '--data', a])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toMatch(/no node is running/)
  })

  it('bad usage exits 2, a failure at run time exits 1', async () => {
    expect((await run(['join', 'not-a-code', '--data', await dir()])).code).toBe(2)
    expect((await run(['invite', 'x', '--role', 'boss', '--data', await dir()])).code).toBe(2)
    expect((await run(['node', '--port', 'abc', '--data', await dir()])).code).toBe(2)
    const none = await run(['invite', 'x', '--data', await dir()])
    expect(none.code).toBe(1)
    expect(none.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  })
})
