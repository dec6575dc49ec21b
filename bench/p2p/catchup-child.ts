// The catching-up member of part 2, in its own process so its memory is measured alone: starts
// its node on a data dir that already holds its team identity (joined before the history was
// written) and waits until every message of the channel is readable through its store. Prints
// one line `RESULT {json}` with the time and the peak RSS (getrusage maxrss, so nothing between
// samples is missed). Input (env): CATCHUP_BOOTSTRAP (JSON), CATCHUP_DIR, CATCHUP_CHANNEL,
// CATCHUP_COUNT, CATCHUP_WRITER (the writer's core key, hex: its blocks' arrival is timed).
import { startNode } from '../../node/index.js'
import { now, trackDownload, waitReadable } from './common.js'

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

const idleRss = process.memoryUsage().rss
const t0 = now()
let sampledMax = idleRss
let sampledMaxAt = 0
// BENCH_RSS_SAMPLE_MS (default 50): finer sampling to find when a short peak happens
const sampler = setInterval(
  () => {
    const rss = process.memoryUsage().rss
    if (rss > sampledMax) {
      sampledMax = rss
      sampledMaxAt = now() - t0
    }
  },
  Number(process.env.BENCH_RSS_SAMPLE_MS ?? 50),
)
const node = await startNode({ dataDir, port: 0, bootstrap })
const t1 = now()
const track = trackDownload(node, Buffer.from(env('CATCHUP_WRITER'), 'hex'))
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
    peakRss: process.resourceUsage().maxRSS * 1024,
    sampledMaxRss: sampledMax,
    sampledMaxAtMs: sampledMaxAt,
    viewLength: node.log.view.core.length,
    signedLength: node.log.base.signedLength,
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
} finally {
  if (debug) clearInterval(debug)
  await node.close()
}
