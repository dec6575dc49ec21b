// The shared conformance suite (SPEC section 3) against a real local node: its own data dir, no
// swarm (the API does not depend on peers), the owner's key as the suite's admin key.
import { rm } from 'node:fs/promises'
import { defineConformanceSuite } from '../../test/conformance/suite.js'
import { startNode } from '../index.js'
import { tempDir } from './helpers.js'

defineConformanceSuite({
  name: 'node',
  signup: false,
  async start() {
    const dir = await tempDir('handoff-conformance-')
    const node = await startNode({ dataDir: dir, port: 0, swarm: false, name: 'owner' })
    return {
      url: node.url,
      adminKey: node.apiKey,
      async stop() {
        await node.close()
        await rm(dir, { recursive: true, force: true })
      },
    }
  },
})
