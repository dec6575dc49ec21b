// The shared conformance suite (SPEC section 3) against the real relay app: buildRelay over the
// private test Redis, on a loopback port, with quotas raised as the suite asks. A second, rate
// limited relay runs the RATE_LIMITED checks; the stream quota is checked at 50 per key.
import { defineConformanceSuite, signupTeam } from '../../test/conformance/suite.js'
import { buildRelay } from '../app.js'
import { redisUrl } from './helpers.js'

const STREAMS_PER_KEY = 50

async function start(rateLimitMax: number, rateLimitWindowMs: number) {
  const { app } = await buildRelay({
    redisUrl: redisUrl(),
    rateLimitMax,
    rateLimitWindowMs,
    signupRateLimit: { max: 1000, timeWindow: 3_600_000 },
    limits: { keysPerTeam: 1000, channelsPerTeam: 1000 },
    sse: { maxPerKey: STREAMS_PER_KEY },
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const url = address.replace('localhost', '127.0.0.1')
  const { adminKey } = await signupTeam(url, 'conformance-a')
  return { url, adminKey, newTeam: () => signupTeam(url), stop: () => app.close() }
}

defineConformanceSuite({
  name: 'relay',
  signup: true,
  streamsPerKey: STREAMS_PER_KEY,
  start: () => start(100_000, 1000),
  startRateLimited: start,
})
