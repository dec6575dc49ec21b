// The shared conformance suite (SPEC section 3) against the real relay app: buildRelay over the
// private test Redis, on a loopback port, with quotas raised as the suite asks.
import { defineConformanceSuite, signupTeam } from '../../test/conformance/suite.js'
import { buildRelay } from '../app.js'
import { redisUrl } from './helpers.js'

defineConformanceSuite({
  name: 'relay',
  signup: true,
  async start() {
    const { app } = await buildRelay({
      redisUrl: redisUrl(),
      rateLimitMax: 100_000,
      signupRateLimit: { max: 1000, timeWindow: 3_600_000 },
      limits: { keysPerTeam: 1000, channelsPerTeam: 1000 },
      sse: { maxPerKey: 50 },
    })
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const url = address.replace('localhost', '127.0.0.1')
    const { adminKey } = await signupTeam(url, 'conformance-a')
    return { url, adminKey, newTeam: () => signupTeam(url), stop: () => app.close() }
  },
})
