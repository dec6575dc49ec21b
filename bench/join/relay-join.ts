// Join bench (tsx bench/join/relay-join.ts): how long `handoff join` takes through the relay's
// pairing box vs over the swarm, in one run, as the team log grows (a joiner replicates the log
// up to its MemberAdd either way), and how many bytes the pairing box carried. Inviter A runs
// with a private testnet and a relay bridge (private redis-server); each joiner is fresh.
// Knobs: BENCH_JOIN_SIZES (comma list of log sizes, default 0,2000,10000), BENCH_JOIN_RUNS (3).

import { PipeCodec } from '../../node/bridge/pipe.js'
import { startNode } from '../../node/index.js'
import { joinTeam } from '../../node/join.js'
import { joinThroughRelay } from '../../node/join-relay.js'
import { decodeInviteCode } from '../../node/pairing.js'
import { buildRelay } from '../../relay/app.js'
import { signup } from '../../relay/test/relays.js'
import { startRedisServer } from '../../test/support/redis-server.js'
import { startTestnet } from '../../test/support/testnet.js'
import { fillLog, fmt, knob, now, removeDir, tempDir } from '../p2p/common.js'

const sizes = (process.env.BENCH_JOIN_SIZES ?? '0,2000,10000').split(',').map(Number)
const runs = knob('BENCH_JOIN_RUNS', 3)

const redis = await startRedisServer()
const relay = await buildRelay({ redisUrl: redis.url, rateLimitMax: 0 })
const relayUrl = (await relay.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1')
const key = await signup(relayUrl, 'bench-join')
const testnet = await startTestnet()
const dirA = await tempDir('join-a')
const a = await startNode({
  dataDir: dirA,
  port: 0,
  bootstrap: testnet.bootstrap,
  relay: { url: relayUrl, key },
  name: 'alice',
})
const invite = async (name: string) => {
  const res = await fetch(`${a.url}/api/node/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  return ((await res.json()) as { code: string }).code
}

console.log(
  'log size | swarm join ms (runs) | relay join ms (runs) | relay/swarm (median) | box bytes (median)',
)
let written = 0
let n = 0
for (const size of sizes) {
  if (size > written) {
    await fillLog(a, 'bench', size - written)
    written = size
  }
  const swarm: number[] = []
  const viaRelay: number[] = []
  const bytes: number[] = []
  for (let r = 0; r < runs; r++) {
    // alternate the order so neither path always runs on a warmer machine
    const order = r % 2 === 0 ? ['swarm', 'relay'] : ['relay', 'swarm']
    for (const path of order) {
      const dir = await tempDir('join-b')
      const code = await invite(`bob${n++}`)
      const t0 = now()
      if (path === 'swarm') {
        await joinTeam({ dataDir: dir, code, bootstrap: testnet.bootstrap, timeoutMs: 300_000 })
        swarm.push(now() - t0)
      } else {
        await joinThroughRelay({ dataDir: dir, code, relay: relayUrl, timeoutMs: 300_000 })
        viaRelay.push(now() - t0)
        const box = new PipeCodec(decodeInviteCode(code)).box
        const used = await Promise.all(
          ['i', 'j'].map((s) => relay.store.redis.get(`hf:pair:{${box}}:${s}:bytes`)),
        )
        bytes.push(used.reduce((t, v) => t + Number(v ?? 0), 0))
      }
      await removeDir(dir)
    }
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number
  console.log(
    `${fmt(size)} | ${swarm.map((x) => fmt(x)).join(', ')} | ${viaRelay.map((x) => fmt(x)).join(', ')} | ` +
      `${(med(viaRelay) / med(swarm)).toFixed(2)} | ${fmt(med(bytes))}`,
  )
}

await a.close()
await relay.app.close()
await testnet.destroy()
await redis.stop()
await removeDir(dirA)
