// The node's data directory: what lives where, and the small files written atomically.
//
//   DIR/identity.json   mode 0600: the device signing key, the team key, the epoch keys (the
//                       "key file": without it the stores below are ciphertext and indexes)
//   DIR/api-key         mode 0600: the owner's local API key, in clear for the owner's agents
//   DIR/node.json       {url, pid} of the running node, so `handoff mcp` / `invite` find it
//   DIR/peers.json      swarm keys of team peers met before (dialled directly on start)
//   DIR/corestore/      the team log (autobase writers + view) and the node-local state
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Role } from './view/records.js'

export interface Identity {
  version: 1
  /** this member's display name (the first local key's sender) */
  name: string
  device: { publicKey: string; secretKey: string }
  team: {
    /** hex team id (public, in every envelope header) */
    id: string
    name: string
    /** hex 32-byte team key: topic, control key and sender tags derive from it */
    key: string
    /** hex autobase key of the team log */
    base: string
    created_at: string
  }
  role: Role
  /** epoch -> hex content key */
  epochs: Record<string, string>
  /** hex seed of this node's swarm key pair (stable, so peers can dial it directly) */
  swarmSeed?: string
}

export interface NodeInfo {
  url: string
  pid: number
}

export function defaultDataDir(): string {
  return process.env.HANDOFF_DATA || join(homedir(), '.handoff')
}

export const paths = (dir: string) => ({
  identity: join(dir, 'identity.json'),
  apiKey: join(dir, 'api-key'),
  nodeInfo: join(dir, 'node.json'),
  corestore: join(dir, 'corestore'),
  peers: join(dir, 'peers.json'),
})

/** Swarm public keys (hex) of team peers this node has met. */
export async function readPeers(dir: string): Promise<string[]> {
  const list = await readJson<string[]>(paths(dir).peers)
  return Array.isArray(list) ? list.filter((k) => /^[0-9a-f]{64}$/.test(k)) : []
}
export const writePeers = (dir: string, peers: string[]) =>
  writeFileAtomic(paths(dir).peers, `${JSON.stringify(peers.slice(-64))}\n`)

/** Write then rename, so a crash leaves the old file or the new one, never half of one. */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, data, { mode, flush: true })
  await rename(tmp, path)
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
}

export const readIdentity = (dir: string) => readJson<Identity>(paths(dir).identity)
export const writeIdentity = (dir: string, identity: Identity) =>
  writeFileAtomic(paths(dir).identity, `${JSON.stringify(identity, null, 2)}\n`)

export async function readApiKey(dir: string): Promise<string | null> {
  try {
    return (await readFile(paths(dir).apiKey, 'utf8')).trim() || null
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}
export const writeApiKey = (dir: string, key: string) => writeFileAtomic(paths(dir).apiKey, `${key}\n`)

export const readNodeInfo = (dir: string) => readJson<NodeInfo>(paths(dir).nodeInfo)

/** node.json of a node that is still alive (a kill -9 leaves a stale file behind). */
export async function liveNodeInfo(dir: string): Promise<NodeInfo | null> {
  const info = await readNodeInfo(dir)
  if (!info || typeof info.pid !== 'number') return null
  try {
    process.kill(info.pid, 0)
    return info
  } catch (err) {
    // EPERM: alive but another user's; ESRCH: gone
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? info : null
  }
}
export const writeNodeInfo = (dir: string, info: NodeInfo) =>
  writeFileAtomic(paths(dir).nodeInfo, `${JSON.stringify(info)}\n`, 0o600)
export const removeNodeInfo = (dir: string) => rm(paths(dir).nodeInfo, { force: true })
