// Relay bench (npm run bench:relay). On a private redis-server, in one run:
//  1. POST /messages throughput and p99 through the full relay vs a bare Fastify route doing the
//     same XADD + PUBLISH (targets: >= 0.75x throughput, p99 <= 2x);
//  2. SSE fan-out of one message to 1,000 subscribers vs a bare pub/sub SSE server
//     (target: p99 <= 1.5x).
// Each server runs in its own process; every loop is bounded; loopback only.
// Knobs: BENCH_POSTS (default 20000), BENCH_CONCURRENCY (32), BENCH_ROUNDS (5),
// BENCH_SUBSCRIBERS (1000), BENCH_FANOUTS (20), BENCH_WARMUP (10000 POSTs per server before measuring).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { startRedisServer } from '../../test/support/redis-server.js'
import { percentile, post, postLoad, type Stats, type Subscriber, subscribe } from './load.js'
import { serverReady } from './ready.js'
import { redisCpuSeconds } from './redis-cpu.js'

const POSTS = Number(process.env.BENCH_POSTS ?? 20_000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
// Each round starts a fresh server process: without a long warm-up a round measures V8 compiling
// the relay's larger code base as much as the relay (full 150 -> 126 -> 111 µs/POST over three
// rounds of one run with 2,000 warm-up POSTs; flat at ~110 with 10,000). Both servers get the same.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10_000)
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000)
const FANOUTS = Number(process.env.BENCH_FANOUTS ?? 20)

type Mode = 'full' | 'bare'
interface Server {
  url: string
  key: string
  child: ChildProcess
}

const serversScript = fileURLToPath(new URL('./servers.ts', import.meta.url))

function startServer(mode: Mode, redisUrl: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', serversScript, mode, redisUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return serverReady(child, mode, 30_000).then(({ url, key }) => ({ url, key, child }))
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return
  const exited = new Promise((r) => server.child.once('exit', r))
  server.child.kill('SIGTERM')
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

async function withServer<T>(mode: Mode, redisUrl: string, fn: (s: Server) => Promise<T>): Promise<T> {
  const server = await startServer(mode, redisUrl)
  try {
    return await fn(server)
  } finally {
    await stopServer(server)
  }
}

const postPath = (mode: Mode) => (mode === 'full' ? '/api/channels/bench/messages' : '/bare/messages')
const streamPath = (mode: Mode, key: string) =>
  mode === 'full' ? `/api/channels/fanout/stream?token=${key}` : '/bare/stream'
const fanoutPostPath = (mode: Mode) => (mode === 'full' ? '/api/channels/fanout/messages' : '/bare/messages')

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

type Round = Stats & { cpuUs: number; redisUs: number }

/**
 * Wall-clock throughput depends on what else the machine runs; the server's CPU time per
 * request does not, so both are reported (µs of server CPU per POST). Redis runs on the same
 * cores, so its CPU per POST (the relay's write script does more than the bare XADD + PUBLISH)
 * is reported too.
 */
async function throughput(mode: Mode, redisUrl: string, admin: Redis): Promise<Round> {
  return withServer(mode, redisUrl, async (s) => {
    const key = mode === 'full' ? s.key : null
    await postLoad(s.url, postPath(mode), key, WARMUP, CONCURRENCY) // warm-up
    const cpu0 = cpuSeconds(s.child.pid)
    const redis0 = await redisCpuSeconds(admin)
    const stats = await postLoad(s.url, postPath(mode), key, POSTS, CONCURRENCY)
    const cpuUs = ((cpuSeconds(s.child.pid) - cpu0) / POSTS) * 1e6
    const redisUs = (((await redisCpuSeconds(admin)) - redis0) / POSTS) * 1e6
    return { ...stats, cpuUs, redisUs }
  })
}

/** arrival latencies (ms) of FANOUTS messages at every subscriber */
async function fanout(mode: Mode, redisUrl: string): Promise<number[]> {
  return withServer(mode, redisUrl, async (s) => {
    const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY })
    const postAgent = new Agent({ keepAlive: true, maxSockets: 1 })
    const subs: Subscriber[] = []
    try {
      for (let i = 0; i < SUBSCRIBERS; i += 100) {
        const batch = Math.min(100, SUBSCRIBERS - i)
        subs.push(
          ...(await Promise.all(
            Array.from({ length: batch }, () => subscribe(s.url, streamPath(mode, s.key), agent)),
          )),
        )
      }
      await new Promise((r) => setTimeout(r, 500))
      const url = new URL(s.url)
      const key = mode === 'full' ? s.key : null
      const latencies: number[] = []
      for (let round = 0; round < FANOUTS + 2; round++) {
        const marker = `fan-${round}-${randomBytes(6).toString('hex')}`
        const arrivals = Promise.all(subs.map((sub) => sub.next(marker)))
        const t0 = process.hrtime.bigint()
        const status = await post(
          postAgent,
          url,
          fanoutPostPath(mode),
          key,
          JSON.stringify({ content: marker }),
        )
        if (status !== 201) throw new Error(`fan-out post: ${status}`)
        const times = await arrivals
        // the first two rounds warm up connections and JIT
        if (round >= 2) for (const t of times) latencies.push(Number(t - t0) / 1e6)
        await new Promise((r) => setTimeout(r, 50))
      }
      return latencies
    } finally {
      for (const sub of subs) sub.close()
      agent.destroy()
      postAgent.destroy()
    }
  })
}

const fmt = (n: number, digits = 2) => n.toFixed(digits)

const redis = await startRedisServer()
const admin = new Redis(redis.url)
try {
  console.log(
    `relay bench: ${POSTS} POSTs x ${CONCURRENCY} connections, ${ROUNDS} interleaved rounds (medians); Redis ${redis.url}`,
  )
  const runs: Record<Mode, Round[]> = { full: [], bare: [] }
  const ratios: number[] = []
  const p99s: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    // alternate the order so neither side always runs on a warmer (or busier) machine
    const order: Mode[] = round % 2 === 1 ? ['bare', 'full'] : ['full', 'bare']
    const got: Partial<Record<Mode, Round>> = {}
    for (const mode of order) {
      const stats = await throughput(mode, redis.url, admin)
      got[mode] = stats
      runs[mode].push(stats)
      console.log(
        `  round ${round} ${mode.padEnd(4)}: ${fmt(stats.rps, 0)} req/s  p50 ${fmt(stats.p50)} ms  p99 ${fmt(stats.p99)} ms  server CPU ${fmt(stats.cpuUs, 0)} µs/req  Redis CPU ${fmt(stats.redisUs, 0)} µs/req`,
      )
    }
    ratios.push((got.full as Stats).rps / (got.bare as Stats).rps)
    p99s.push((got.full as Stats).p99 / (got.bare as Stats).p99)
  }
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    )
  const ratio = median(ratios)
  const p99x = median(p99s)
  const cpuFull = median(runs.full.map((r) => r.cpuUs))
  const cpuBare = median(runs.bare.map((r) => r.cpuUs))
  console.log(
    `POST throughput: full ${fmt(median(runs.full.map((r) => r.rps)), 0)} req/s vs bare ${fmt(median(runs.bare.map((r) => r.rps)), 0)} req/s; median per-round ratio ${fmt(ratio)}x (target >= 0.75x) ${ratio >= 0.75 ? 'OK' : 'MISSED'}`,
  )
  console.log(
    `POST server CPU: full ${fmt(cpuFull, 0)} µs/req vs bare ${fmt(cpuBare, 0)} µs/req: CPU-bound capacity ratio ${fmt(cpuBare / cpuFull)}x`,
  )
  const redisFull = median(runs.full.map((r) => r.redisUs))
  const redisBare = median(runs.bare.map((r) => r.redisUs))
  console.log(
    `POST Redis CPU: full ${fmt(redisFull, 0)} µs/req vs bare ${fmt(redisBare, 0)} µs/req; server + Redis CPU ratio ${fmt((cpuBare + redisBare) / (cpuFull + redisFull))}x`,
  )
  console.log(
    `POST p99: full ${fmt(median(runs.full.map((r) => r.p99)))} ms vs bare ${fmt(median(runs.bare.map((r) => r.p99)))} ms; median per-round ratio ${fmt(p99x)}x (target <= 2x) ${p99x <= 2 ? 'OK' : 'MISSED'}`,
  )

  // two fan-out runs per side, ABBA order, latencies pooled per side
  const pooled: Record<Mode, number[]> = { full: [], bare: [] }
  for (const mode of ['bare', 'full', 'full', 'bare'] as const)
    pooled[mode].push(...(await fanout(mode, redis.url)))
  const summary = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b)
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
  }
  const fanFull = summary(pooled.full)
  const fanBare = summary(pooled.bare)
  const fanX = fanFull.p99 / fanBare.p99
  console.log(
    `SSE fan-out of one message to ${SUBSCRIBERS} subscribers: full p50 ${fmt(fanFull.p50)} ms p99 ${fmt(fanFull.p99)} ms vs bare p50 ${fmt(fanBare.p50)} ms p99 ${fmt(fanBare.p99)} ms = ${fmt(fanX)}x p99 (target <= 1.5x) ${fanX <= 1.5 ? 'OK' : 'MISSED'}`,
  )
} finally {
  admin.disconnect()
  await redis.stop()
}
