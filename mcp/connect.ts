// Turns a target into a working backend: a relay as configured, or the local node of a data dir,
// found through the files the running node writes there, or started in-process when none runs.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { HandoffBackend } from './backend.js'
import { ClientBackend } from './client-backend.js'
import type { McpTarget } from './config.js'
import { withFailover } from './failover.js'

export const DEFAULT_NODE_URL = 'http://127.0.0.1:7420'

/** A node's API as its data dir describes it. */
export interface NodeEndpoint {
  apiUrl: string
  apiKey: string
}

async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/**
 * Where the node of `dataDir` serves its API: `DIR/api-key` holds the key; `DIR/node.json`,
 * written by a running node, `{url, pid}`; without it (or unreadable), HANDOFF_PORT or 7420.
 */
export async function readNodeEndpoint(dataDir: string, env = process.env): Promise<NodeEndpoint | null> {
  const apiKey = await readText(join(dataDir, 'api-key'))
  if (!apiKey) return null
  let apiUrl = env.HANDOFF_PORT ? `http://127.0.0.1:${env.HANDOFF_PORT}` : DEFAULT_NODE_URL
  try {
    const info = JSON.parse((await readText(join(dataDir, 'node.json'))) ?? 'null') as {
      url?: unknown
    } | null
    if (typeof info?.url === 'string' && info.url) apiUrl = info.url
  } catch {
    // A node killed while writing it leaves a partial file: the default address is as good a guess.
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ''), apiKey }
}

export async function isServing(apiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })
    await res.body?.cancel()
    return res.ok
  } catch {
    return false
  }
}

/** Starts a node inside this process; resolves to its endpoint and a stop function. */
export type EmbeddedNodeStarter = (dataDir: string) => Promise<NodeEndpoint & { stop(): Promise<void> }>

/** The node of `dataDir`: the one running there, else one started in this process. */
async function findNode(dataDir: string, startEmbedded: EmbeddedNodeStarter): Promise<HandoffBackend> {
  const running = await readNodeEndpoint(dataDir)
  if (running && (await isServing(running.apiUrl))) {
    return new ClientBackend({ kind: 'node', apiUrl: running.apiUrl, apiKey: running.apiKey })
  }
  const node = await startEmbedded(dataDir)
  return new ClientBackend({
    kind: 'node',
    apiUrl: node.apiUrl,
    apiKey: node.apiKey,
    onClose: () => node.stop(),
  })
}

export async function connect(
  target: McpTarget,
  startEmbedded: EmbeddedNodeStarter,
): Promise<HandoffBackend> {
  if (target.kind === 'relay') {
    const { apiUrl, apiKey, encryptionKey } = target
    return new ClientBackend({ kind: 'relay', apiUrl, apiKey, encryptionKey })
  }
  const find = () => findNode(target.dataDir, startEmbedded)
  // The node may be another session's embedded one, gone when that session ends.
  return withFailover(await find(), find)
}
