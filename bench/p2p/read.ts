// Part 3: the newest 50 messages of a large channel. One node (no swarm) builds a channel as large
// as fits in BENCH_BUILD_MS (default 60 s) or exactly BENCH_READ_MESSAGES messages (the issue's
// size is 1,000,000), then reads the latest page BENCH_READS times (default 1,000) through
// NodeStore.readMessages and through HTTP, against a baseline measured on the same data in the
// same run: a raw hyperbee range read of the same 50 view entries (no decoding, no decryption).
// Target: p99 < 5 ms (store path). Also measures the write path: postMessage one at a time
// against the raw hypercore append of blocks of the same size, one at a time.
// BENCH_READ_DIR=<dir>: keep the node's data dir there and reuse the channel already built in it
// (building 1,000,000 messages takes minutes; re-measuring the reads should not). RSS is printed
// after the build, and split into JS heap and RocksDB's memtables and block cache after the first
// read (which syncs the arrival order) and after the reads.
// Each timed read starts after a turn of the event loop, and the GC pauses inside each read's
// window are counted: V8 runs most scavenges as tasks between macrotasks, so a read that crosses
// one (every HTTP request does; a store read of cached blocks does not) pays in its window for the
// young-generation garbage of the store read it contains. The p99 of the reads without a pause is
// printed next to it, and a GET /api/node/status (same key check, no store read) gives the floor
// of an HTTP round trip.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { PerformanceObserver } from 'node:perf_hooks'
import { setImmediate as turn } from 'node:timers/promises'
import { startNode } from '../../node/index.js'
import { channelSpace } from '../../node/view/keys.js'
import type { ChannelRecord } from '../../node/view/records.js'
import {
  CONTENT_BYTES,
  fillLog,
  fmt,
  knob,
  mb,
  memoryLine,
  now,
  openRawStore,
  percentile,
  rawCore,
  removeDir,
  sealMessages,
  tempDir,
} from './common.js'

const TARGET_MESSAGES = 1_000_000
const FIXED = process.env.BENCH_READ_MESSAGES ? knob('BENCH_READ_MESSAGES', 0) : null
const BUILD_MS = knob('BENCH_BUILD_MS', 60_000)
const READS = knob('BENCH_READS', 1000)
const POSTS = knob('BENCH_POSTS', 200)
/** pages of 200 to read forward from the start after the timed reads, to see what a scan costs in RSS */
const SCAN_PAGES = knob('BENCH_READ_SCAN', 0)
const CHANNEL = 'big'
const PAGE = 50

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN }
}
const show = (x: { p50: number; p99: number; max: number }) =>
  `p50 ${x.p50.toFixed(2)} ms  p99 ${x.p99.toFixed(2)} ms  max ${x.max.toFixed(2)} ms`

function httpGet(agent: Agent, url: URL, path: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${key}` } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

const KEEP = process.env.BENCH_READ_DIR || null
const dir = KEEP ?? (await tempDir('read'))
const reused = KEEP !== null && existsSync(KEEP)
if (KEEP) await mkdir(KEEP, { recursive: true })
const node = await startNode({ dataDir: dir, port: 0, swarm: false, name: 'alice' })
const rss = () => mb(process.memoryUsage().rss)
try {
  // ---- the write path, one message per request as the API makes them ----
  const raw = await openRawStore('append')
  let rawRate = 0
  try {
    const core = rawCore(raw.store, { name: 'bench' })
    const blocks = sealMessages(node, 'posts', POSTS)
    const t = now()
    for (const b of blocks) await core.append(b)
    rawRate = (POSTS / (now() - t)) * 1000
  } finally {
    await raw.close()
  }
  const content = 'x'.repeat(CONTENT_BYTES)
  const t = now()
  for (let i = 0; i < POSTS; i++)
    await node.store.postMessage(node.teamId, 'posts', node.identity.name, {
      content,
      mention: null,
      thread_id: null,
    })
  const postRate = (POSTS / (now() - t)) * 1000
  console.log(
    `p2p write path: ${POSTS} messages one at a time: NodeStore.postMessage ${fmt(postRate)} msg/s vs raw hypercore append of the same-size block ${fmt(rawRate)} blocks/s (${(postRate / rawRate).toFixed(2)}x)`,
  )

  // ---- build the large channel ----
  const had = reused
    ? ((await node.log.view.get(`ch/${CHANNEL}`))?.value as ChannelRecord | undefined)
    : undefined
  const count = Math.max(0, (FIXED ?? TARGET_MESSAGES) - (had?.count ?? 0))
  if (had) console.log(`p2p read: reusing ${fmt(had.count)} messages in ${dir}; RSS ${rss()}`)
  let last = now()
  const fill = await fillLog(node, CHANNEL, count, {
    deadlineMs: FIXED === null ? BUILD_MS : undefined,
    progress: (n) => {
      if (now() - last < 15_000) return
      last = now()
      process.stderr.write(
        `  ... ${fmt(n)} messages, RSS ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)}\n`,
      )
    },
  })
  const size = fill.count + (had?.count ?? 0)
  console.log(
    `p2p read: channel of ${fmt(size)} messages${size < TARGET_MESSAGES ? ` (the issue's size is ${fmt(TARGET_MESSAGES)}: BENCH_READ_MESSAGES=${TARGET_MESSAGES}${FIXED === null ? `; this is what ${fmt(BUILD_MS / 1000)} s of building gives` : ''})` : ''}; built in ${fmt(fill.ms)} ms = ${fmt((fill.count / fill.ms) * 1000)} msg/s (autobase appends of ${process.env.BENCH_BATCH ?? 500}); RSS ${mb(process.memoryUsage().rss)} (JS heap ${mb(process.memoryUsage().heapUsed)}); view ${fmt(node.log.view.core.length)} blocks`,
  )

  // ---- the reads, interleaved so each side sees the same machine ----
  const record = (await node.log.view.get(`ch/${CHANNEL}`))?.value as ChannelRecord
  const range = { ...channelSpace(CHANNEL, record.gen).messages, reverse: true, limit: PAGE }
  const rawRead = async () => {
    const out: unknown[] = []
    for await (const entry of node.log.view.createReadStream(range)) out.push(entry.value)
    if (out.length !== PAGE) throw new Error(`raw read returned ${out.length}`)
  }
  const storeRead = async () => {
    const page = await node.store.readMessages(node.teamId, CHANNEL, { after_id: null, limit: PAGE })
    if (page.messages.length !== PAGE || page.messages[0]?.encrypted) throw new Error('bad page')
  }
  const first = now()
  await storeRead()
  console.log(
    `  first read (syncs the arrival order): ${(now() - first).toFixed(1)} ms; ${await memoryLine(node.corestore)}`,
  )
  const url = new URL(node.url)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const path = `/api/channels/${CHANNEL}/messages?limit=${PAGE}`
  const httpRead = async () => {
    const status = await httpGet(agent, url, path, node.apiKey)
    if (status !== 200) throw new Error(`HTTP ${status}`)
  }
  const floorRead = async () => {
    const status = await httpGet(agent, url, '/api/node/status', node.apiKey)
    if (status !== 200) throw new Error(`HTTP ${status}`)
  }
  const names = ['raw', 'store', 'http', 'floor'] as const
  type Name = (typeof names)[number]
  const timings: Record<Name, number[]> = { raw: [], store: [], http: [], floor: [] }
  const windows: Record<Name, [number, number][]> = { raw: [], store: [], http: [], floor: [] }
  const fns = { raw: rawRead, store: storeRead, http: httpRead, floor: floorRead }
  const pauses: [number, number][] = []
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([e.startTime, e.startTime + e.duration])
  })
  gc.observe({ entryTypes: ['gc'] })
  for (let i = 0; i < READS + 50; i++) {
    for (const name of names) {
      await turn()
      const start = now()
      await fns[name]()
      const end = now()
      if (i < 50) continue // the first 50 warm caches and the JIT
      timings[name].push(end - start)
      windows[name].push([start, end])
    }
  }
  await turn() // the observer delivers the last entries in a later task
  gc.disconnect()
  agent.destroy()
  // GC time inside each read's window: what the read paid for V8 rather than for its own work
  const gcOf = (name: Name) => {
    let ms = 0
    const clean: number[] = []
    windows[name].forEach(([a, b], i) => {
      let inside = 0
      for (const [ga, gb] of pauses) inside += Math.max(0, Math.min(b, gb) - Math.max(a, ga))
      if (inside === 0) clean.push(timings[name][i] ?? 0)
      ms += inside
    })
    const held = windows[name].length - clean.length
    return `GC in ${held} reads, ${ms.toFixed(1)} ms${held > 0 ? `; p99 without them ${stats(clean).p99.toFixed(2)} ms` : ''}`
  }
  const r = stats(timings.raw)
  const s = stats(timings.store)
  const h = stats(timings.http)
  const f = stats(timings.floor)
  console.log(`  raw hyperbee range read of ${PAGE} entries (baseline): ${show(r)}  (${gcOf('raw')})`)
  console.log(
    `  NodeStore.readMessages latest ${PAGE}:                 ${show(s)}  (${(s.p99 / r.p99).toFixed(2)}x baseline p99; ${gcOf('store')})`,
  )
  console.log(
    `  HTTP GET .../messages?limit=${PAGE} (keep-alive):       ${show(h)}  (${(h.p99 / r.p99).toFixed(2)}x baseline p99; ${gcOf('http')})`,
  )
  console.log(
    `  HTTP GET /api/node/status (round-trip floor):        ${show(f)}  (${gcOf('floor')}); HTTP p50 - store p50 = ${(h.p50 - s.p50).toFixed(2)} ms`,
  )
  console.log(`  after the reads: ${await memoryLine(node.corestore)}`)
  if (SCAN_PAGES > 0) {
    let after = '0'
    let read = 0
    const t0 = now()
    for (let i = 0; i < SCAN_PAGES; i++) {
      const page = await node.store.readMessages(node.teamId, CHANNEL, { after_id: after, limit: 200 })
      read += page.messages.length
      after = page.next_after_id
      if (!page.has_more) break
    }
    console.log(
      `  paged ${fmt(read)} messages forward from the start (200 a page) in ${fmt(now() - t0)} ms; RSS ${rss()} (JS heap ${mb(process.memoryUsage().heapUsed)})`,
    )
  }
  console.log(
    `  target p99 < 5 ms at ${fmt(TARGET_MESSAGES)} messages: ${s.p99 < 5 ? 'met' : 'NOT met'} through the store, ${h.p99 < 5 ? 'met' : 'NOT met'} through HTTP${size < TARGET_MESSAGES ? ` (at ${fmt(size)})` : ''}; ${fmt(READS)} reads each`,
  )
} finally {
  await node.close()
  if (!KEEP) await removeDir(dir)
}
