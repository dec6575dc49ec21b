// RocksDB memtables of a writing store: appends BENCH_APPEND_MB (120) MB of 2 KB blocks (below
// hypercore-storage's 4 KB blob threshold, so they go through the memtables) to one core of a
// store opened by node/log/storage.ts, in appends of 512 blocks, and prints the time and memory.
// BENCH_WRITE_BUFFER_MB sets the write buffer instead of the node's (64 is RocksDB's default).
// Each run is one process and one temp dir: run it once per setting and compare.
import { randomBytes } from 'node:crypto'
import { openCorestore, STORAGE_OPTIONS } from '../../node/log/storage.js'
import { fmt, knob, memoryLine, now, type RawCore, removeDir, tempDir } from './common.js'

const MBS = knob('BENCH_APPEND_MB', 120)
const buffer = process.env.BENCH_WRITE_BUFFER_MB
const options = buffer
  ? { writeBufferSize: knob('BENCH_WRITE_BUFFER_MB', 16) * 1024 * 1024 }
  : STORAGE_OPTIONS

const dir = await tempDir('append')
const store = openCorestore(dir, options)
try {
  const core = store.get({ name: 'bench' }) as RawCore
  await core.ready()
  const t = now()
  for (let i = 0; i < MBS; i++) await core.append(Array.from({ length: 512 }, () => randomBytes(2048)))
  console.log(
    `p2p append memory: ${fmt(core.length)} blocks of 2 KB (write buffer ${fmt((options.writeBufferSize ?? 0) / 1024 / 1024)} MB) in ${fmt(now() - t)} ms; ${await memoryLine(store)}`,
  )
} finally {
  await store.close()
  await removeDir(dir)
}
