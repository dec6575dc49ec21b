import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { UsageError } from '../../sdk/cli-errors.js'
import { resolveTarget } from '../config.js'
import { readNodeEndpoint } from '../connect.js'

describe('resolveTarget', () => {
  it('uses the relay when RELAY_API_URL and RELAY_API_KEY are set (the seed names)', () => {
    expect(resolveTarget({ RELAY_API_URL: 'https://relay.example/', RELAY_API_KEY: 'k1' })).toEqual({
      kind: 'relay',
      apiUrl: 'https://relay.example',
      apiKey: 'k1',
    })
  })

  it('passes HANDOFF_ENCRYPTION_KEY to a relay target', () => {
    expect(
      resolveTarget({ RELAY_API_URL: 'http://r', RELAY_API_KEY: 'k', HANDOFF_ENCRYPTION_KEY: 'team-secret' }),
    ).toMatchObject({ kind: 'relay', encryptionKey: 'team-secret' })
  })

  it('accepts HANDOFF_URL / HANDOFF_KEY as aliases', () => {
    expect(resolveTarget({ HANDOFF_URL: 'http://127.0.0.1:3000', HANDOFF_KEY: 'k2' })).toMatchObject({
      kind: 'relay',
      apiKey: 'k2',
    })
  })

  it('refuses half a relay configuration instead of silently using the node', () => {
    expect(() => resolveTarget({ RELAY_API_URL: 'https://relay.example' })).toThrow(UsageError)
    expect(() => resolveTarget({ RELAY_API_KEY: 'k' })).toThrow(/RELAY_API_URL/)
    expect(() => resolveTarget({ RELAY_API_URL: 'relay.example', RELAY_API_KEY: 'k' })).toThrow(/http/)
  })

  it('falls back to the node of HANDOFF_DATA, default ~/.handoff', () => {
    expect(resolveTarget({})).toEqual({ kind: 'node', dataDir: join(homedir(), '.handoff') })
    expect(resolveTarget({ HANDOFF_DATA: '/tmp/x' })).toEqual({ kind: 'node', dataDir: '/tmp/x' })
    expect(resolveTarget({ HANDOFF_DATA: '~/y' })).toEqual({ kind: 'node', dataDir: join(homedir(), 'y') })
  })
})

describe('readNodeEndpoint', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('reads the key file and the URL the node wrote', async () => {
    dir = await mkdtemp(join(tmpdir(), 'handoff-mcp-'))
    expect(await readNodeEndpoint(dir, {})).toBeNull()
    await writeFile(join(dir, 'api-key'), 'secret\n', { mode: 0o600 })
    expect(await readNodeEndpoint(dir, {})).toEqual({ apiUrl: 'http://127.0.0.1:7420', apiKey: 'secret' })
    expect(await readNodeEndpoint(dir, { HANDOFF_PORT: '7999' })).toMatchObject({
      apiUrl: 'http://127.0.0.1:7999',
    })
    await writeFile(join(dir, 'node.json'), JSON.stringify({ url: 'http://127.0.0.1:9000/', pid: 1 }))
    expect(await readNodeEndpoint(dir, {})).toMatchObject({ apiUrl: 'http://127.0.0.1:9000' })
    await writeFile(join(dir, 'node.json'), '{"url": "http://127.0')
    expect(await readNodeEndpoint(dir, {})).toMatchObject({ apiUrl: 'http://127.0.0.1:7420' })
  })
})
