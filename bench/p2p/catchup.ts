// Part 2: a member catching up a long log. A team of one writer; a second device joins it (a
// `member` invite, CATCHUP_ROLE to change; CATCHUP_FRESH_SEED=1 gives its node a new swarm key
// pair) and goes offline; the writer then writes
// BENCH_CATCHUP_MESSAGES messages (default 10,000; the issue's size is 100,000: set
// BENCH_CATCHUP_MESSAGES=100000). The second device's node then starts in its own process
// (catchup-child.ts) and runs until every message is readable through its store: time (split by
// when the writer's blocks arrive) and peak RSS of that process. Targets (at 100,000 messages):
// < 15 s, < 200 MB. The member is an indexer, so the history is not signed while it is away;
// even so autobase usually fast-forwards it to the writer's view (the result line says how many
// of the writer's blocks it holds: a handful when it did, all of them when it applied the
// history itself, e.g. with HANDOFF_WRITER_PREFETCH=1).
// The join runs in this process, before the history: run from a separate process, a join took
// 15 s to over 300 s here (see docs/benchmarks.md), which would swamp what this part measures.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { readIdentity, writeIdentity } from '../../node/data-dir.js'
import { joinTeam } from '../../node/join.js'
import { closeAll, openNode, startTestnet, type TestNode } from '../../node/test/helpers.js'
import { CONTENT_BYTES, fillLog, fmt, knob, mb, now, removeDir, tempDir } from './common.js'

const MESSAGES = knob('BENCH_CATCHUP_MESSAGES', 10_000)
const TARGET_MESSAGES = 100_000
const CHANNEL = 'history'
const child = fileURLToPath(new URL('./catchup-child.ts', import.meta.url))

interface ChildResult {
  caughtUp: boolean
  peers: number
  logLength: number
  startMs: number
  firstBlockMs: number
  lastBlockMs: number
  blocks: number
  writerHeld: number
  totalMs: number
  idleRss: number
  peakRss: number
  sampledMaxRss: number
  sampledMaxAtMs: number
  viewLength: number
  signedLength: number
}

function runChild(env: Record<string, string>): Promise<ChildResult> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    proc.once('error', reject)
    proc.once('exit', (code) => {
      const m = /RESULT (.+)/.exec(out)
      if (code === 0 && m) resolve(JSON.parse(m[1] as string) as ChildResult)
      else reject(new Error(`catch-up child exited with ${code}: ${out.trim()}`))
    })
  })
}

const testnet = await startTestnet()
const nodes: TestNode[] = []
const joinDir = await tempDir('joiner')
try {
  const scaled = MESSAGES < TARGET_MESSAGES
  console.log(
    `p2p catch-up: a member's node catches up ${fmt(MESSAGES)} messages of ${CONTENT_BYTES} content bytes${scaled ? ` (scaled down from the issue's ${fmt(TARGET_MESSAGES)}: BENCH_CATCHUP_MESSAGES=${TARGET_MESSAGES} runs the full size)` : ''}`,
  )
  const alice = await openNode(await tempDir('writer'), testnet, { name: 'alice' })
  nodes.push(alice)
  const invite = await alice.api.ok<{ code: string }>('POST', '/api/node/invites', {
    name: 'newbie',
    role: process.env.CATCHUP_ROLE ?? 'member',
  })
  const joinStart = now()
  await joinTeam({ dataDir: joinDir, code: invite.code, bootstrap: testnet.bootstrap, timeoutMs: 120_000 })
  const joinMs = now() - joinStart
  if (process.env.CATCHUP_FRESH_SEED === '1') {
    // an experiment: give the member's node a swarm key pair its join's swarm never used
    const identity = await readIdentity(joinDir)
    if (identity) await writeIdentity(joinDir, { ...identity, swarmSeed: randomBytes(32).toString('hex') })
  }
  const fill = await fillLog(alice.node, CHANNEL, MESSAGES)
  console.log(
    `  join (in this process, empty log) ${fmt(joinMs)} ms; the writer then wrote ${fmt(fill.count)} messages in ${fmt(fill.ms)} ms = ${fmt((fill.count / fill.ms) * 1000)} msg/s; writer process RSS ${mb(process.memoryUsage().rss)}`,
  )
  const r = await runChild({
    CATCHUP_BOOTSTRAP: JSON.stringify(testnet.bootstrap),
    CATCHUP_DIR: joinDir,
    CATCHUP_CHANNEL: CHANNEL,
    CATCHUP_COUNT: String(MESSAGES),
    CATCHUP_WRITER: alice.node.log.writerKey.toString('hex'),
  })
  if (!r.caughtUp) {
    console.log(
      `  catching-up node: NOT caught up after ${fmt(r.totalMs)} ms (BENCH_TIMEOUT_MS): ${r.peers} peer(s) connected, log length ${fmt(r.logLength)}, ${fmt(r.blocks)} of the writer's blocks arrived${r.blocks ? ` (from ${fmt(r.firstBlockMs)} ms to ${fmt(r.lastBlockMs)} ms)` : ''}`,
    )
    process.exitCode = 1
  } else
    console.log(
      `  catching-up node: start ${fmt(r.startMs)} ms; writer's blocks arrive from ${fmt(r.firstBlockMs)} ms to ${fmt(r.lastBlockMs)} ms (${fmt(r.blocks)} download events; ${fmt(r.writerHeld)} of the writer's blocks held at the end); all readable at ${fmt(r.totalMs)} ms = ${fmt((MESSAGES / r.totalMs) * 1000)} msg/s overall, ${fmt((MESSAGES / (r.totalMs - r.firstBlockMs)) * 1000)} msg/s from the first block; view ${fmt(r.viewLength)} blocks, signed length ${fmt(r.signedLength)}`,
    )
  console.log(
    `  catching-up process RSS: idle (code loaded) ${mb(r.idleRss)}, peak ${mb(r.peakRss)} (sampled every ${process.env.BENCH_RSS_SAMPLE_MS ?? 50} ms: ${mb(r.sampledMaxRss)} at ${fmt(r.sampledMaxAtMs)} ms)`,
  )
  const timeLimit = 15_000 * (MESSAGES / TARGET_MESSAGES)
  const timeOk = r.caughtUp && r.totalMs < timeLimit
  const rssOk = r.peakRss < 200 * 1024 * 1024
  console.log(
    `  target < 15 s for ${fmt(TARGET_MESSAGES)}${scaled ? ` (${fmt(timeLimit / 1000, 1)} s pro rata at this size)` : ''}: ${timeOk ? 'met' : 'NOT met'}; peak RSS < 200 MB${scaled ? ' (at this size)' : ''}: ${rssOk ? 'met' : 'NOT met'}`,
  )
} finally {
  await closeAll(nodes)
  await removeDir(joinDir)
  await testnet.destroy()
}
