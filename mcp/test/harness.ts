// Test support: a real relay in-process on a free port over the private test Redis, and MCP
// clients (the SDK's own Client over StdioClientTransport) spawning the built CLI's `handoff mcp`.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { buildRelay } from '../../relay/app.js'
import { freePort } from '../../test/support/redis-server.js'

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js')

export interface TestRelay {
  url: string
  stop(): Promise<void>
}

export async function startRelay(redisUrl: string): Promise<TestRelay> {
  // rate limits off: two agents make a few hundred calls from one address in seconds
  const { app } = await buildRelay({ redisUrl, rateLimitMax: 0, sse: { heartbeatMs: 1_000 } })
  const port = await freePort()
  await app.listen({ port, host: '127.0.0.1' })
  return {
    url: `http://127.0.0.1:${port}`,
    // closes the streams first, then Redis (the relay's onClose hook)
    stop: () => app.close(),
  }
}

export async function signup(url: string, team: string, sender: string): Promise<string> {
  const res = await fetch(`${url}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ team_name: team, sender_name: sender }),
  })
  const body = (await res.json()) as { api_key: string }
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(body)}`)
  return body.api_key
}

export interface McpAgent {
  client: Client
  /** what the server wrote on stderr so far */
  stderr(): string
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>
  /** calls a tool and fails the test with its text unless it succeeded */
  ok(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent: any }>
  close(): Promise<void>
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
}

/** Spawns `node dist/cli.js mcp` with `env` (plus a private HANDOFF_DATA) and connects a client. */
export async function startAgent(env: Record<string, string>): Promise<McpAgent> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`)
  const data = await mkdtemp(join(tmpdir(), 'handoff-mcp-agent-'))
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp'],
    env: { HANDOFF_DATA: data, ...env },
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const client = new Client({ name: 'handoff-mcp-test', version: '1.0.0' })
  await client.connect(transport)
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 })) as CallToolResult
  return {
    client,
    stderr: () => stderr,
    call,
    async ok(name, args = {}) {
      const result = await call(name, args)
      if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`)
      return result as CallToolResult & { structuredContent: any }
    },
    async close() {
      await client.close()
      await rm(data, { recursive: true, force: true })
    },
  }
}
