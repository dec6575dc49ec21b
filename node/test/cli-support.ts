// The built CLI (dist/cli.js) as a user runs it, for the CLI tests: one-shot commands, and
// `handoff node` processes and data dirs that a session stops and removes afterwards.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { eventually, type Testnet, tempDir } from './helpers.js'

export const CLI = join(import.meta.dirname, '../../dist/cli.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** One command to its end: exit code (1 when killed by the timeout) and output. */
export function runCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** The `--bootstrap` value for a testnet. */
export const bootstrapOf = (testnet: Testnet) => testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')

export class CliSession {
  private readonly dirs: string[] = []
  private readonly children: ChildProcess[] = []

  constructor(private readonly prefix = 'handoff-cli-') {}

  /** A fresh data dir, removed by close(). */
  async dir(): Promise<string> {
    const d = await tempDir(this.prefix)
    this.dirs.push(d)
    return d
  }

  /** `handoff node --data DATA --port 0 ...args`, once it says it runs; its output until then. */
  async startNode(data: string, args: string[]): Promise<{ child: ChildProcess; stdout: string }> {
    const child = spawn(process.execPath, [CLI, 'node', '--data', data, '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.children.push(child)
    let stdout = ''
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    await eventually(async () => expect(stdout).toContain('Press Ctrl-C to stop.'), 60_000)
    return { child, stdout }
  }

  /** Stops the nodes still running (SIGTERM, waiting for each to exit), removes the dirs. */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map((c) =>
        c.exitCode === null && c.signalCode === null
          ? new Promise((r) => c.once('exit', r).kill('SIGTERM'))
          : null,
      ),
    )
    for (const d of this.dirs) await rm(d, { recursive: true, force: true })
  }
}
