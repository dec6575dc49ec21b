// The catching-up member of part 2, in its own process so its memory is measured alone: starts
// its node on a data dir that already holds its team identity (joined before the history was
// written) and waits until every message of the channel is readable through its store. Prints
// one line `RESULT {json}` with the time and the peak RSS (the kernel's high-water mark, so nothing
// between samples is missed). Input (env): CATCHUP_BOOTSTRAP (JSON), CATCHUP_DIR, CATCHUP_CHANNEL,
// CATCHUP_COUNT, CATCHUP_WRITER (the writer's core key, hex: its blocks' arrival is timed).
import { readFileSync } from 'node:fs'
import { startNode } from '../../node/index.js'
import {
  mb,
  memoryLine,
  now,
  type StorageMemory,
  storageMemory,
  trackDownload,
  waitReadable,
} from './common.js'

const env = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const bootstrap = JSON.parse(env('CATCHUP_BOOTSTRAP')) as Array<{ host: string; port: number }>
const dataDir = env('CATCHUP_DIR')
const channel = env('CATCHUP_CHANNEL')
const count = Number(env('CATCHUP_COUNT'))
const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000)

/**
 * This process's peak RSS. Not getrusage's maxRSS: on Linux that starts at the RSS of the process
 * that spawned it (the forked copy before exec counts), so under the bench it began at the writer's
 * 300-400 MB. /proc/self/status VmHWM is the peak of this process image only.
 */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) * 1024
  } catch {}
  return process.resourceUsage().maxRSS * 1024
}

const idleRss = process.memoryUsage().rss
const t0 = now()
let sampledMax = idleRss
let sampledMaxAt = 0
let atMax = process.memoryUsage()
// when the peak grew (by > 4 MB since the last step): finds a peak shorter than a sample
let lastPeak = peakRss()
const peakSteps: string[] = [`${mb(lastPeak)} at 0 ms`]
// BENCH_RSS_SAMPLE_MS (default 50): finer sampling to find when a short peak happens
const sampler = setInterval(
  () => {
    const m = process.memoryUsage()
    const peak = peakRss()
    if (peak > lastPeak + 4 * 1024 * 1024) {
      peakSteps.push(`${mb(peak)} at ${Math.round(now() - t0)} ms`)
      lastPeak = peak
    }
    if (m.rss > sampledMax) {
      sampledMax = m.rss
      sampledMaxAt = now() - t0
      atMax = m
    }
  },
  Number(process.env.BENCH_RSS_SAMPLE_MS ?? 50),
)
const node = await startNode({ dataDir, port: 0, bootstrap })
const t1 = now()
const track = trackDownload(node, Buffer.from(env('CATCHUP_WRITER'), 'hex'))
// the largest memtables and block cache RocksDB reported while catching up (polled, so a peak
// between two polls can be missed)
const storageMax: StorageMemory = { memtables: 0, blockCache: 0, pinned: 0, tableReaders: 0 }
let polling = true
void (async () => {
  while (polling) {
    const s = await storageMemory(node.corestore).catch(() => null)
    if (s)
      for (const k of Object.keys(s) as Array<keyof StorageMemory>)
        storageMax[k] = Math.max(storageMax[k], s[k])
    await new Promise((r) => setTimeout(r, 50))
  }
})()
// BENCH_DEBUG=1: the node's status every 5 s on stderr (peers, log lengths)
const debug = process.env.BENCH_DEBUG
  ? setInterval(
      () => process.stderr.write(`catch-up: ${JSON.stringify({ ...node.status(), url: undefined })}\n`),
      5000,
    )
  : null
try {
  // a node that never catches up is a result too (seen here: peers connected, no blocks coming)
  const caughtUp = await waitReadable(node, channel, count, timeoutMs).then(
    () => true,
    () => false,
  )
  const t2 = now()
  clearInterval(sampler)
  const writerHeld = track.held()
  track.stop()
  process.stderr.write(
    `  catching-up memory at the sampled RSS peak: JS heap ${mb(atMax.heapUsed)} (of ${mb(atMax.heapTotal)}), external ${mb(atMax.external)}; rocksdb maxima while catching up: memtables ${mb(storageMax.memtables)}, block cache ${mb(storageMax.blockCache)} (pinned ${mb(storageMax.pinned)}), table readers ${mb(storageMax.tableReaders)}\n  catching-up peak RSS (VmHWM) grew: ${peakSteps.join(', ')} (getrusage maxRSS, which counts the spawning process: ${mb(process.resourceUsage().maxRSS * 1024)})\n  catching-up memory at the end: ${await memoryLine(node.corestore)}\n`,
  )
  const result = {
    caughtUp,
    peers: node.swarm?.peers ?? 0,
    logLength: node.log.base.length,
    startMs: t1 - t0,
    firstBlockMs: (track.firstAt || t2) - t0,
    lastBlockMs: (track.lastAt || t2) - t0,
    blocks: track.blocks,
    writerHeld,
    totalMs: t2 - t0,
    idleRss,
    peakRss: peakRss(),
    sampledMaxRss: sampledMax,
    sampledMaxAtMs: sampledMaxAt,
    viewLength: node.log.view.core.length,
    signedLength: node.log.base.signedLength,
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
} finally {
  // on a throw too: the 50 ms storage poll and the RSS sampler would keep the process alive
  polling = false
  clearInterval(sampler)
  if (debug) clearInterval(debug)
  await node.close()
}
