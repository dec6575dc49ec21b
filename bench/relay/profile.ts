// Where a POST's server CPU goes: runs one bench server (servers.ts) under `node --cpu-prof`,
// warms it up, profiles BENCH_POSTS POSTs, and prints the functions with the most self time.
// `npx tsx bench/relay/profile.ts [full|bare]`. Knobs: BENCH_POSTS (default 20000), BENCH_WARMUP
// (10000), PROF_DIR (where the .cpuprofile goes, default a temporary directory), TOP (40).
// The profile covers the whole process life; the warm-up is in it too, so keep it short against
// the measured part or read only the ranking.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { startRedisServer } from '../../test/support/redis-server.js'
import { postLoad } from './load.js'
import { serverReady } from './ready.js'
import { redisCpuSeconds } from './redis-cpu.js'

const mode = process.argv[2] === 'bare' ? 'bare' : 'full'
const POSTS = Number(process.env.BENCH_POSTS ?? 20_000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10_000)
const TOP = Number(process.env.TOP ?? 40)
const dir = process.env.PROF_DIR ?? mkdtempSync(join(tmpdir(), 'relay-prof-'))
const serversScript = fileURLToPath(new URL('./servers.ts', import.meta.url))

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
}

/** self samples per function (name + file:line), as a share of all samples */
function summarize(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame
    if (!frame) continue
    const file = frame.url.replace(/^.*\/(node_modules\/|work\/main\/)/, '')
    const label = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`
    self.set(label, (self.get(label) ?? 0) + 1)
  }
  const total = profile.samples.length
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP)
  console.log(`${total} samples`)
  for (const [label, n] of rows) console.log(`${((n / total) * 100).toFixed(1).padStart(5)}%  ${label}`)
}

/** SIGTERM the server and wait for its exit (when it writes its profile); a no-op once it exited. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

const redis = await startRedisServer()
let child: ChildProcess | undefined
try {
  child = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', serversScript, mode, redis.url],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const { url, key } = await serverReady(child, mode, 30_000)
  const path = mode === 'bare' ? '/bare/messages' : '/api/channels/bench/messages'
  const apiKey = mode === 'bare' ? null : key
  await postLoad(url, path, apiKey, WARMUP, 32)
  // Redis shares the machine's cores with the server: its CPU per POST is part of the cost
  const admin = new Redis(redis.url)
  await admin.config('RESETSTAT')
  const cpu0 = await redisCpuSeconds(admin)
  const stats = await postLoad(url, path, apiKey, POSTS, 32)
  const redisUs = (((await redisCpuSeconds(admin)) - cpu0) / POSTS) * 1e6
  const commands = (await admin.info('commandstats')).split('\r\n').filter((l) => l.startsWith('cmdstat_'))
  admin.disconnect()
  console.log(
    `${mode}: ${stats.rps.toFixed(0)} req/s while profiling; Redis CPU ${redisUs.toFixed(1)} µs/POST`,
  )
  for (const line of commands) console.log(`  ${line}`)
  await stop(child)
  // node names it CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile: a reused PROF_DIR holds older
  // runs', and tsx's loader thread (tid 1) writes one too; the server runs on the main thread, tid 0
  const ours = `.${child.pid}.0.`
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && f.includes(ours))
  if (!file) throw new Error(`no profile of pid ${child.pid} in ${dir}`)
  console.log(`profile: ${join(dir, file)}`)
  summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile)
} finally {
  // a throw above (server never ready, a failed load) must not leave the server running
  if (child) await stop(child)
  await redis.stop()
}
