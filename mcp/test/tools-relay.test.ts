// Every tool against a real relay (in-process, on the private test Redis). alice signs up; bob's
// server uses the alias variable names HANDOFF_URL / HANDOFF_KEY.
import { inject } from 'vitest'
import { signup, startAgent, startRelay } from './harness.js'
import { toolsSuite } from './tools-suite.js'

toolsSuite({
  name: 'relay',
  async start(run) {
    const relay = await startRelay(inject('redisUrl'))
    const adminKey = await signup(relay.url, `mcp-team-${run}`, 'alice')
    const alice = await startAgent({ RELAY_API_URL: relay.url, RELAY_API_KEY: adminKey })
    return { alice, url: relay.url, stop: () => relay.stop() }
  },
  agent: (url, key) => startAgent({ HANDOFF_URL: url, HANDOFF_KEY: key }),
})
