// The servers the SDK tests run against, behind one interface (like test/conformance/target.ts),
// so the same test file holds the client to the same behaviour on the relay and on the node.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { inject } from 'vitest'
import { startNode } from '../../../node/index.js'
import { buildRelay } from '../../../relay/app.js'
import { freePort } from '../../../test/support/redis-server.js'

export interface SdkServer {
  url: string
  /** a key of one team with `{"*": "admin"}` */
  adminKey: string
  /** the team that key belongs to (what the relay stores is scoped by it) */
  teamId: string
  /** stop the server and start it again on the same URL, its data kept */
  restart(whileDown?: () => Promise<void>): Promise<void>
  /**
   * Another instance of the same server over the same storage (relays scale out over one
   * Redis); absent where there is none (a node owns its data dir)
   */
  startPeer?(): Promise<{ url: string; stop(): Promise<void> }>
  /** every byte the server holds for the team, as text: checked for plaintext */
  storedText(): Promise<string>
  /**
   * true when the server stores content strings as it received them (the relay); the node
   * seals them again in its own envelopes, so they do not appear verbatim in its storage
   */
  storesContentAsSent: boolean
  stop(): Promise<void>
}

export interface SdkTarget {
  name: string
  /** serves POST /api/signup (the relay) */
  signup: boolean
  /** its servers have startPeer(): instances sharing one storage (the relay) */
  peers: boolean
  /** serves /api/team/settings (the relay: encryption_required) */
  teamSettings: boolean
  /** takes `rateLimitMax` in start() (the relay; the node has no per-key rate limit option) */
  rateLimit: boolean
  /** starts a fresh server with one team; rate limits off unless asked for */
  start(options?: { rateLimitMax?: number; rateLimitWindowMs?: number }): Promise<SdkServer>
}

/**
 * Close a server, then drop any connection still open after a grace period: a fetch aborted
 * while its socket was connecting leaves a socket that never sends a request, and the HTTP
 * server would wait for it until its headers timeout.
 */
async function closeServer(app: FastifyInstance, close: () => Promise<void>): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), 1_000)
  try {
    await close()
  } finally {
    clearTimeout(force)
  }
}

async function signup(url: string, teamName: string): Promise<{ api_key: string; team: { id: string } }> {
  const res = await fetch(`${url}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ team_name: teamName, sender_name: 'admin' }),
  })
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as { api_key: string; team: { id: string } }
}

/** Everything stored under a team's hash tag, whatever the Redis type of each key. */
async function dumpTeam(redisUrl: string, teamId: string): Promise<string> {
  const { Redis } = await import('ioredis')
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  try {
    const out: string[] = []
    let cursor = '0'
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `hf:{${teamId}}:*`, 'COUNT', 500)
      cursor = next
      for (const key of found) {
        const type = await redis.type(key)
        if (type === 'string') out.push((await redis.get(key)) ?? '')
        else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)))
        else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')))
        else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')))
        else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)))
        else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)))
        out.push(key)
      }
    } while (cursor !== '0')
    return out.join('\n')
  } finally {
    redis.disconnect()
  }
}

export const relayTarget: SdkTarget = {
  name: 'relay',
  signup: true,
  peers: true,
  teamSettings: true,
  rateLimit: true,
  async start(options = {}) {
    const redisUrl = inject('redisUrl')
    const build = async (port: number) => {
      const { app } = await buildRelay({
        redisUrl,
        rateLimitMax: options.rateLimitMax ?? 100_000,
        rateLimitWindowMs: options.rateLimitWindowMs ?? 1000,
        signupRateLimit: { max: 1000, timeWindow: 3_600_000 },
        limits: { keysPerTeam: 1000, channelsPerTeam: 1000 },
        sse: { maxPerKey: 50, heartbeatMs: 1000 },
      })
      await app.listen({ port, host: '127.0.0.1' })
      return app
    }
    let app = await build(0)
    const address = app.server.address()
    if (!address || typeof address !== 'object') throw new Error('relay has no address')
    const url = `http://127.0.0.1:${address.port}`
    const team = await signup(url, `sdk-${Date.now()}`)
    return {
      url,
      adminKey: team.api_key,
      teamId: team.team.id,
      async restart(whileDown) {
        await closeServer(app, () => app.close())
        await whileDown?.()
        app = await build(address.port)
      },
      async startPeer() {
        const peer = await build(0)
        const peerAddress = peer.server.address()
        if (!peerAddress || typeof peerAddress !== 'object') throw new Error('relay has no address')
        return {
          url: `http://127.0.0.1:${peerAddress.port}`,
          stop: () => closeServer(peer, () => peer.close()),
        }
      },
      storedText: () => dumpTeam(redisUrl, team.team.id),
      storesContentAsSent: true,
      stop: () => closeServer(app, () => app.close()),
    }
  },
}

/** Every file of a directory tree, concatenated as latin1 text (so any plaintext shows). */
async function dumpDir(dir: string): Promise<string> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push((await readFile(join(entry.parentPath, entry.name))).toString('latin1'))
  }
  return out.join('\n')
}

export const nodeTarget: SdkTarget = {
  name: 'node',
  signup: false,
  peers: false,
  teamSettings: false,
  rateLimit: false,
  async start() {
    const dataDir = await mkdtemp(join(tmpdir(), 'handoff-sdk-node-'))
    const port = await freePort()
    const open = () => startNode({ dataDir, port, host: '127.0.0.1', swarm: false, name: 'admin' })
    let node = await open()
    return {
      url: node.url.replace(/\/+$/, ''),
      adminKey: node.apiKey,
      teamId: node.teamId,
      async restart(whileDown) {
        await closeServer(node.app, () => node.close())
        await whileDown?.()
        node = await open()
      },
      storedText: () => dumpDir(dataDir),
      storesContentAsSent: false,
      async stop() {
        await closeServer(node.app, () => node.close())
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  },
}

export const targets: SdkTarget[] = [relayTarget, nodeTarget]
