// CPU per message write through the relay store alone (no HTTP): the Redis server's CPU (INFO cpu)
// and this process's, per `RedisStore.postMessage` counted in the write script as the POST route
// does. A/B tool for the write script and its arguments; `npx tsx bench/relay/store-cost.ts`.
// Knobs: BENCH_POSTS (default 20000), BENCH_CONCURRENCY (32), BENCH_WARMUP (5000), BENCH_ROUNDS (3).
import { Redis } from 'ioredis'
import { RedisStore } from '../../relay/store/redis-store.js'
import { startRedisServer } from '../../test/support/redis-server.js'
import { redisCpuSeconds } from './redis-cpu.js'

const POSTS = Number(process.env.BENCH_POSTS ?? 20_000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const server = await startRedisServer()
const store = await RedisStore.connect({ url: server.url })
const admin = new Redis(server.url)
try {
  const { api_key } = await store.signup('bench', 'bench')
  const counted = await store.authenticateCounted(api_key, 1000)
  if (!counted) throw new Error('no principal')
  const content = 'bench message '.repeat(8)
  const write = async () => {
    const principal = store.peekPrincipal(api_key)
    if (!principal) throw new Error('not remembered')
    await store.postMessage(
      principal.teamId,
      'bench',
      principal.sender,
      { content, mention: null, thread_id: null },
      { count: { windowMs: 1000, max: 1_000_000_000 }, principal },
    )
  }
  const run = async (total: number) => {
    let next = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < total) await write()
      }),
    )
  }
  await run(WARMUP)
  for (let round = 1; round <= ROUNDS; round++) {
    const r0 = await redisCpuSeconds(admin)
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    await run(POSTS)
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3 / POSTS
    const c = process.cpuUsage(c0)
    const redisUs = (((await redisCpuSeconds(admin)) - r0) / POSTS) * 1e6
    console.log(
      `round ${round}: Redis CPU ${redisUs.toFixed(1)} µs/write, store process CPU ${((c.user + c.system) / POSTS).toFixed(1)} µs/write, wall ${wallUs.toFixed(1)} µs/write`,
    )
  }
} finally {
  admin.disconnect()
  await store.close()
  await server.stop()
}
