// `handoff mcp` start-up failures: one readable line on stderr, the SPEC's exit codes, nothing on
// stdout (which belongs to the protocol).
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI } from './harness.js'

let data: string

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'handoff-mcp-cli-'))
})
afterAll(async () => {
  await rm(data, { recursive: true, force: true })
})

function mcp(env: Record<string, string>) {
  const { HOME, PATH } = process.env
  return spawnSync(process.execPath, [CLI, 'mcp'], {
    env: { HOME, PATH, HANDOFF_DATA: data, ...env },
    input: '',
    encoding: 'utf8',
    timeout: 20_000,
  })
}

describe('handoff mcp start-up', () => {
  it('exits 2 with one line when only half of the relay settings are given', () => {
    const result = mcp({ RELAY_API_URL: 'http://127.0.0.1:9' })
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toEqual([
      'handoff: RELAY_API_URL is set but RELAY_API_KEY (or HANDOFF_KEY) is not',
    ])
  })

  it('exits 1 with one readable line when the embedded node cannot start', () => {
    // no node runs for the data dir, and the settings for the one it would start are wrong
    const result = mcp({ HANDOFF_PORT: 'not-a-port' })
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toEqual(['handoff: HANDOFF_PORT is not a port: not-a-port'])
  })

  it('ends cleanly when the client closes stdin', () => {
    const result = mcp({ RELAY_API_URL: 'http://127.0.0.1:9', RELAY_API_KEY: 'k' })
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('')
  })
})
