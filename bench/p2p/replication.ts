// Part 1: BENCH_MESSAGES (default 10,000) messages written on node B while A is offline, in
// appends of BENCH_BATCH as the write queue makes them (several envelopes per block,
// node/log/blocks.ts); B comes back and A catches up. Timed from the moment A's swarm connects to
// B until every message is readable through A's store. Baselines, same run, timed the same way:
// raw hypercore replication between two on-disk corestores over a hyperswarm connection on the
// same loopback testnet of (1) the same envelopes, one per block, as a plain hypercore log of
// messages holds them, and (2) B's writer blocks exactly as the node wrote them (moving the bytes
// only: no verifying, indexing or applying). Target: node <= 2x baseline.
import type Corestore from 'corestore'
import Hyperswarm, { type SwarmConnection } from 'hyperswarm'
import { createDht } from '../../node/swarm.js'
import { closeAll, startTeam, startTestnet, type TestNode } from '../../node/test/helpers.js'
import type { Testnet } from '../../test/support/testnet.js'
import {
  BATCH,
  CONTENT_BYTES,
  fillLog,
  fmt,
  knob,
  mb,
  now,
  openRawStore,
  rawCore,
  trackDownload,
  waitContiguous,
  waitReadable,
} from './common.js'

const MESSAGES = knob('BENCH_MESSAGES', 10_000)
const TIMEOUT_MS = knob('BENCH_TIMEOUT_MS', 300_000)
const CHANNEL = 'bench'

/** Raw baseline: time from the downloader's connection until it holds every block. */
async function rawReplication(testnet: Testnet, blocks: Buffer[]): Promise<number> {
  const source = await openRawStore('raw-src')
  const sink = await openRawStore('raw-dst')
  const swarms: Hyperswarm[] = []
  try {
    const core = rawCore(source.store, { name: 'bench' })
    await core.ready()
    for (let i = 0; i < blocks.length; i += 500) await core.append(blocks.slice(i, i + 500))
    const copy = rawCore(sink.store, { key: core.key as Buffer })
    await copy.ready()
    const serve = new Hyperswarm({ dht: createDht(testnet.bootstrap) })
    const fetcher = new Hyperswarm({ dht: createDht(testnet.bootstrap) })
    swarms.push(serve, fetcher)
    serve.on('connection', (conn: SwarmConnection) => {
      conn.on('error', () => {})
      source.store.replicate(conn)
    })
    let connectedAt = 0
    fetcher.on('connection', (conn: SwarmConnection) => {
      conn.on('error', () => {})
      connectedAt ||= now()
      sink.store.replicate(conn)
    })
    await serve.join(core.discoveryKey as Buffer, { server: true, client: false }).flushed()
    copy.download({ start: 0, end: -1 })
    fetcher.join(core.discoveryKey as Buffer, { server: false, client: true })
    await waitContiguous(copy, blocks.length, TIMEOUT_MS)
    return now() - connectedAt
  } finally {
    for (const s of swarms) await s.destroy().catch(() => {})
    await sink.close()
    await source.close()
  }
}

/** The blocks of a writer core from `from` on, as stored (autobase's encoding around ours). */
async function blocksOf(store: Corestore, key: Buffer, from: number): Promise<Buffer[]> {
  const core = rawCore(store, { key })
  await core.ready()
  const out: Buffer[] = []
  for (let i = from; i < core.length; i++) out.push(await core.get(i))
  await core.close()
  return out
}

/** What settle needs of autobase beyond the shared typings. */
interface Settling {
  ack(): Promise<void>
  heads(): Array<{ key: Buffer; length: number }>
}

/**
 * Until neither node has an acknowledgement left to write and both see the same heads. A node
 * acks what it has not acked yet on autobase's timer, which can fire seconds after the team
 * formed: an ack A writes while B is offline is concurrent with all of B's offline writes, and
 * when autobase orders it before them (it orders concurrent nodes by writer key, so in about half
 * the runs) B undoes and re-applies its whole offline tail during A's catch-up, in this same
 * process (3,000 of 3,000 in each such run measured). The bench measures B's writes reaching A
 * from a settled team, so it settles first.
 */
async function settle(a: TestNode, b: TestNode): Promise<void> {
  const base = (t: TestNode) => t.node.log.base as unknown as Settling
  const heads = (t: TestNode) =>
    base(t)
      .heads()
      .map((h) => `${h.key.toString('hex')}:${h.length}`)
      .join()
  const deadline = now() + 60_000
  for (let quiet = 0; quiet < 3; ) {
    if (now() > deadline) throw new Error('the two nodes did not settle in 60 s')
    const before = `${a.node.log.base.local.length},${b.node.log.base.local.length}`
    for (const t of [a, b]) await base(t).ack()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await Promise.all([a.node.log.base.update(), b.node.log.base.update()])
    const after = `${a.node.log.base.local.length},${b.node.log.base.local.length}`
    quiet = before === after && heads(a) === heads(b) ? quiet + 1 : 0
  }
}

/** A's catch-up: B (offline) writes, B rejoins, time from A's connection to all readable. */
async function nodeReplication(
  testnet: Testnet,
  a: TestNode,
  b: TestNode,
): Promise<{
  ms: number
  reconnectMs: number
  firstBlockMs: number
  lastBlockMs: number
  writeMs: number
  envelopes: Buffer[]
  writerBlocks: Buffer[]
}> {
  await settle(a, b)
  await b.restart({ swarm: false })
  const from = b.node.log.base.local.length
  const fill = await fillLog(b.node, CHANNEL, MESSAGES, { keepEnvelopes: true })
  const writerBlocks = await blocksOf(b.node.corestore, b.node.log.writerKey, from)
  await b.node.close()
  const swarm = a.node.swarm
  if (!swarm) throw new Error('A has no swarm')
  let connectedAt = 0
  const onConnection = () => {
    connectedAt ||= now()
  }
  swarm.swarm.on('connection', onConnection)
  const track = trackDownload(a.node, b.node.log.writerKey)
  const restartAt = now()
  try {
    await b.restart({ swarm: true, bootstrap: testnet.bootstrap })
    await waitReadable(a.node, CHANNEL, MESSAGES, TIMEOUT_MS)
  } finally {
    swarm.swarm.off('connection', onConnection)
    track.stop()
  }
  const end = now()
  return {
    ms: end - connectedAt,
    reconnectMs: connectedAt - restartAt,
    firstBlockMs: (track.firstAt || end) - connectedAt,
    lastBlockMs: (track.lastAt || end) - connectedAt,
    writeMs: fill.ms,
    envelopes: fill.envelopes,
    writerBlocks,
  }
}

const testnet = await startTestnet()
let nodes: TestNode[] = []
try {
  console.log(
    `p2p replication: ${fmt(MESSAGES)} messages of ${CONTENT_BYTES} content bytes written on B while A is offline; loopback testnet`,
  )
  nodes = await startTeam(2, testnet)
  const [a, b] = nodes as [TestNode, TestNode]
  const run = await nodeReplication(testnet, a, b)
  const bytes = run.envelopes.reduce((n, x) => n + x.byteLength, 0)
  const blockBytes = run.writerBlocks.reduce((n, x) => n + x.byteLength, 0)
  console.log(
    `  B wrote ${fmt(MESSAGES)} envelopes (${mb(bytes)}, ${fmt(bytes / MESSAGES)} B each) in ${fmt(run.writeMs)} ms = ${fmt((MESSAGES / run.writeMs) * 1000)} msg/s (appends of ${BATCH}), as ${fmt(run.writerBlocks.length)} blocks of its writer core (${mb(blockBytes)})`,
  )
  // the baselines need B's bytes, so they run after the node; each twice, on a fresh pair of
  // corestores, and the faster (least disturbed by the shared machine) counts
  const baseline = async (label: string, blocks: Buffer[]) => {
    const one = await rawReplication(testnet, blocks)
    const two = await rawReplication(testnet, blocks)
    const best = Math.min(one, two)
    console.log(
      `  raw hypercore replication, ${label} (${fmt(blocks.length)} blocks): ${fmt(one)} ms, ${fmt(two)} ms -> ${fmt(best)} ms`,
    )
    return best
  }
  const perEnvelope = await baseline('the same envelopes one per block', run.envelopes)
  const sameBlocks = await baseline("B's writer blocks as written", run.writerBlocks)
  console.log(
    `  node A catch-up (connect -> all readable via store): ${fmt(run.ms)} ms = ${fmt((MESSAGES / run.ms) * 1000)} msg/s (B restart -> connection: ${fmt(run.reconnectMs)} ms, not counted)`,
  )
  console.log(
    `    of which: B's blocks arrive from ${fmt(run.firstBlockMs)} ms to ${fmt(run.lastBlockMs)} ms after connecting; the rest (${fmt(run.ms - run.lastBlockMs)} ms) is linearizing and applying`,
  )
  const ratio = (label: string, raw: number) => {
    const r = run.ms / raw
    console.log(`  ratio node/raw, ${label}: ${r.toFixed(2)}x (target <= 2x) ${r <= 2 ? 'met' : 'NOT met'}`)
  }
  ratio('the same envelopes one per block', perEnvelope)
  ratio("B's writer blocks as written", sameBlocks)
} finally {
  await closeAll(nodes)
  await testnet.destroy()
}
