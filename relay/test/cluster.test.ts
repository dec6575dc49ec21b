// The relay on a real 3-node Redis Cluster (private, loopback): every team's keys share a slot and
// every script stays inside one team, so the whole store and the app work unchanged with teams
// spread over different nodes.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StreamEvent } from '../../sdk/api/types.js'
import {
  generateEpochKey,
  generateSigningKeyPair,
  OpType,
  randomBytes,
  sealEnvelope,
} from '../../sdk/protocol/index.js'
import { freePort } from '../../test/support/redis-server.js'
import { buildRelay } from '../app.js'
import { RedisStore } from '../store/redis-store.js'
import { decodeForRelay } from '../store/sync.js'
import { waitFor } from './helpers.js'

const run = promisify(execFile)
const nodes: ChildProcess[] = []
let dir = ''
let ports: number[] = []
let url = ''

async function startNode(port: number): Promise<void> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  nodes.push(child)
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('Ready to accept connections')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)))
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoff-cluster-'))
  ports = [await freePort(), await freePort(), await freePort()]
  await Promise.all(ports.map(startNode))
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ])
  const start = Date.now()
  // every node must see the others (PUBLISH travels over the cluster bus), not just the first
  for (;;) {
    const infos = await Promise.all(ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info'])))
    const ready = infos.every(
      ({ stdout }) => stdout.includes('cluster_state:ok') && stdout.includes('cluster_known_nodes:3'),
    )
    if (ready) break
    if (Date.now() - start > 20_000) throw new Error('cluster did not become ok')
    await new Promise((r) => setTimeout(r, 200))
  }
  url = ports.map((p) => `redis://127.0.0.1:${p}`).join(',')
}, 60_000)

afterAll(async () => {
  for (const child of nodes) {
    if (child.exitCode !== null) continue
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  }
  if (dir) await rm(dir, { recursive: true, force: true })
})

const msg = (content: string, thread_id: string | null = null) => ({ content, mention: null, thread_id })

describe('Redis Cluster', { timeout: 90_000 }, () => {
  it('runs the store with teams spread over the nodes', async () => {
    const a = await RedisStore.connect({ url, cluster: true })
    const b = await RedisStore.connect({ url, cluster: true })
    try {
      // wait until the cluster client's subscriber node is settled: a wake-up published while it
      // is still being chosen is lost (costing a poll, 5 s), which would only slow this test down
      let heard = false
      const off = await b.ctx.pubsub.subscribe('hf:probe', () => {
        heard = true
      })
      for (let i = 0; i < 100 && !heard; i++) {
        await a.redis.publish('hf:probe', 'x')
        await new Promise((r) => setTimeout(r, 100))
      }
      off()
      expect(heard).toBe(true)
      // enough teams that their slots land on every node
      const teams = await Promise.all(Array.from({ length: 6 }, (_, i) => a.signup(`t${i}`, 'alice')))
      for (const { team, api_key } of teams) {
        const who = await b.authenticate(api_key)
        expect(who?.teamId).toBe(team.id)
        const bob = await a.createKey(team.id, 'bob', { general: 'write' })
        expect((await b.listKeys(team.id)).map((k) => k.sender)).toEqual(['alice', 'bob'])

        const events: StreamEvent[] = []
        const sub = await b.subscribe(team.id, 'general', null, (e) => {
          events.push(e)
        })
        const parent = await a.postMessage(team.id, 'general', 'alice', msg('parent'))
        const reply = await a.postMessage(team.id, 'general', 'bob', msg('reply', parent.id))
        await a.setStatus(team.id, 'general', 'k', 'v', 'alice')
        await a.ack(team.id, 'general', 'bob', reply.id)
        const thread = await b.readThread(team.id, 'general', parent.id, { after_id: null, limit: 10 })
        expect(thread.parent.reply_count).toBe(1)
        // the reply must have reached the stream before it is deleted (a deleted message is not
        // replayed, so a stream that reads after the delete never sees it, by design)
        await waitFor(() => events.length === 4, 12_000, 'events across instances')
        await a.deleteMessage(team.id, 'general', reply.id, 'bob')
        await waitFor(() => events.length === 5, 12_000, 'the delete event')
        expect(events.map((e) => e.type)).toEqual(['message', 'message', 'status', 'ack', 'delete'])
        await sub.close()

        expect(
          (await b.readMessages(team.id, 'general', { after_id: '0', limit: 10 })).messages,
        ).toHaveLength(1)
        expect((await b.readUnread(team.id, 'general', 'bob', 10)).messages).toEqual([])
        await a.recordAudit(team.id, {
          key_hash: 'x',
          sender_name: 'bob',
          action: 'GET /x',
          channel: '*',
          result: 'denied',
        })
        expect((await b.readAudit(team.id, { after_id: null, limit: 5 })).entries).toHaveLength(1)

        await a.revokeKey(team.id, bob.key_id!)
        expect(await b.authenticate(bob.api_key)).toBeNull()
        await a.deleteChannel(team.id, 'general')
        expect(await b.listChannels(team.id)).toEqual([])
      }
      const signing = { epochKey: generateEpochKey(), signer: generateSigningKeyPair() }
      const space = randomBytes(32)
      const env = sealEnvelope(
        { type: OpType.Message, team: space, channel: 'c', epoch: 0, body: Buffer.from('x') },
        signing,
      )
      const t0 = teams[0]!.team.id
      expect((await a.pushEnvelope(t0, decodeForRelay(env.bytes))).cursor).not.toBeNull()
      expect((await b.pushEnvelope(t0, decodeForRelay(env.bytes))).cursor).toBeNull()
      expect((await b.pullEnvelopes(t0, space.toString('hex'), null, 10)).envelopes).toHaveLength(1)
      expect(await a.isReady()).toBe(true)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('serves the HTTP API with shared rate-limit counters on the cluster', async () => {
    const { app } = await buildRelay({ redisUrl: url, redisCluster: true, rateLimitMax: 1000 })
    try {
      const signup = await app.inject({
        method: 'POST',
        url: '/api/signup',
        payload: { team_name: 'http', sender_name: 'alice' },
      })
      expect(signup.statusCode).toBe(201)
      const key = signup.json().api_key as string
      const headers = { authorization: `Bearer ${key}` }
      const posted = await app.inject({
        method: 'POST',
        url: '/api/channels/c/messages',
        headers,
        payload: { content: 'hi' },
      })
      expect(posted.statusCode).toBe(201)
      const read = await app.inject({ method: 'GET', url: '/api/channels/c/messages', headers })
      expect(read.json().messages.map((m: { content: string }) => m.content)).toEqual(['hi'])
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })
})
