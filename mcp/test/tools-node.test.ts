// Every tool against a real local node: alice's `handoff mcp` starts an embedded node on a fresh
// data dir (private loopback DHT); bob's server talks to that node's API with a key alice made.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestnet } from '../../test/support/testnet.js'
import { startAgent } from './harness.js'
import { toolsSuite } from './tools-suite.js'

toolsSuite({
  name: 'node',
  async start() {
    const testnet = await startTestnet()
    const dir = await mkdtemp(join(tmpdir(), 'handoff-mcp-tools-node-'))
    const alice = await startAgent({
      HANDOFF_DATA: dir,
      HANDOFF_PORT: '0',
      HANDOFF_BOOTSTRAP: testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(','),
    })
    const url = (await alice.ok('whoami')).structuredContent.api_url
    return {
      alice,
      url,
      async stop() {
        await testnet.destroy()
        await rm(dir, { recursive: true, force: true })
      },
    }
  },
  agent: (url, key) => startAgent({ RELAY_API_URL: url, RELAY_API_KEY: key }),
})
