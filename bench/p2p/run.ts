// The p2p bench (npm run bench:p2p): each part in its own process, one after the other, so one
// part's heap and caches do not weigh on the next. BENCH_P2P_PARTS picks parts (comma list of
// replication, catchup, read); the knobs of each part are listed at the top of its file.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ALL = ['replication', 'catchup', 'read']
const parts = (process.env.BENCH_P2P_PARTS ?? ALL.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
for (const part of parts)
  if (!ALL.includes(part)) throw new Error(`unknown part "${part}" (${ALL.join(', ')})`)

let failed = 0
for (const part of parts) {
  const script = fileURLToPath(new URL(`./${part}.ts`, import.meta.url))
  const started = Date.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' })
  const took = ((Date.now() - started) / 1000).toFixed(0)
  if (r.status !== 0) {
    failed++
    console.log(`  (${part} failed: exit ${r.status ?? r.signal}, after ${took} s)`)
  } else console.log(`  (${part}: ${took} s)`)
}
process.exitCode = failed ? 1 : 0
