// Where `handoff mcp` sends its requests, decided from the environment only (SPEC section 2):
// a relay when RELAY_API_URL + RELAY_API_KEY are set (the seed's names; HANDOFF_URL/HANDOFF_KEY
// are aliases; HANDOFF_ENCRYPTION_KEY adds end-to-end encryption), otherwise the local node of
// the data dir HANDOFF_DATA (default ~/.handoff), which encrypts by itself.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { UsageError } from '../sdk/cli-errors.js'

export type McpTarget =
  | {
      kind: 'relay'
      apiUrl: string
      apiKey: string
      /** team secret for end-to-end encryption over an HTTP-only relay (the SDK's encryptionKey) */
      encryptionKey?: string
    }
  | { kind: 'node'; dataDir: string }

type Env = Record<string, string | undefined>

function pick(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim()
    if (value) return value
  }
  return undefined
}

export function defaultDataDir(env: Env = process.env): string {
  const dir = pick(env, 'HANDOFF_DATA')
  if (!dir) return join(homedir(), '.handoff')
  return resolve(dir.startsWith('~/') ? join(homedir(), dir.slice(2)) : dir)
}

export function resolveTarget(env: Env = process.env): McpTarget {
  const apiUrl = pick(env, 'RELAY_API_URL', 'HANDOFF_URL')
  const apiKey = pick(env, 'RELAY_API_KEY', 'HANDOFF_KEY')
  if (apiUrl && apiKey) {
    if (!/^https?:\/\//i.test(apiUrl)) {
      throw new UsageError(`RELAY_API_URL must be an http(s) URL, got "${apiUrl}"`)
    }
    const encryptionKey = pick(env, 'HANDOFF_ENCRYPTION_KEY')
    return {
      kind: 'relay',
      apiUrl: apiUrl.replace(/\/+$/, ''),
      apiKey,
      ...(encryptionKey ? { encryptionKey } : {}),
    }
  }
  // Half a relay configuration is almost always a typo; falling back to the node would hide it.
  if (apiUrl && !apiKey)
    throw new UsageError('RELAY_API_URL is set but RELAY_API_KEY (or HANDOFF_KEY) is not')
  if (apiKey && !apiUrl)
    throw new UsageError('RELAY_API_KEY is set but RELAY_API_URL (or HANDOFF_URL) is not')
  return { kind: 'node', dataDir: defaultDataDir(env) }
}
