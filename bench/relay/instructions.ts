// Instructions per POST (valgrind --tool=callgrind), full relay vs bare route: a count that does
// not move with what else the machine runs, unlike req/s or CPU time on a shared 2-core box.
// `npx tsx bench/relay/instructions.ts` (5-10 min per server under valgrind). Each server warms
// up with BENCH_WARMUP POSTs (default 3000) uninstrumented, then BENCH_POSTS (default 2000) are
// counted over 16 connections. Counts cover every thread of the process (GC helpers and the JIT
// compiler included) and no kernel time. Knobs: MODES=bare,full, CG_DIR (callgrind files, default
// a temporary directory).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedisServer } from '../../test/support/redis-server.js'
import { postLoad } from './load.js'
import { serverReady } from './ready.js'

const POSTS = Number(process.env.BENCH_POSTS ?? 2000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3000)
const modes = (process.env.MODES ?? 'bare,full').split(',')
const dir = process.env.CG_DIR ?? mkdtempSync(join(tmpdir(), 'relay-callgrind-'))
const serversScript = fileURLToPath(new URL('./servers.ts', import.meta.url))

async function count(mode: string, redisUrl: string): Promise<number> {
  const out = join(dir, `callgrind.${mode}.${Date.now()}`)
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
      process.execPath,
      '--import',
      'tsx',
      serversScript,
      mode,
      redisUrl,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
  try {
    const { url, key } = await serverReady(child, mode, 600_000)
    const path = mode === 'bare' ? '/bare/messages' : '/api/channels/bench/messages'
    const apiKey = mode === 'bare' ? null : key
    await postLoad(url, path, apiKey, WARMUP, 16)
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
    await postLoad(url, path, apiKey, POSTS, 16)
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' })
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  }
  const totals = /^totals: (\d+)/m.exec(readFileSync(out, 'utf8'))
  if (!totals) throw new Error(`no totals in ${out}`)
  return Number(totals[1]) / POSTS
}

const redis = await startRedisServer()
try {
  const got: Record<string, number> = {}
  for (const mode of modes) {
    got[mode] = await count(mode, redis.url)
    console.log(`${mode.padEnd(4)}: ${(got[mode] / 1000).toFixed(0)}k instructions per POST`)
  }
  if (got.bare && got.full) {
    console.log(`instruction ratio bare/full: ${(got.bare / got.full).toFixed(2)}x (files in ${dir})`)
  }
} finally {
  await redis.stop()
}
