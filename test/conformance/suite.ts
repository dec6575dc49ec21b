// The conformance suite of SPEC section 3: one black-box HTTP/SSE contract that the relay and
// the local node are both held to. A target's test file calls defineConformanceSuite(target).
import { afterAll, afterEach, beforeAll, describe } from 'vitest'
import { ackCases } from './cases/acks.js'
import { auditCases } from './cases/audit.js'
import { basicCases } from './cases/basics.js'
import { channelCases } from './cases/channels.js'
import { hostileCases } from './cases/hostile.js'
import { isolationCases } from './cases/isolation.js'
import { keyCases } from './cases/keys.js'
import { messageCases } from './cases/messages.js'
import { permissionCases } from './cases/permissions.js'
import { rateLimitCases } from './cases/rate-limit.js'
import { resumeCases } from './cases/resume.js'
import { statusCases } from './cases/status.js'
import { streamCases } from './cases/stream.js'
import { threadCases } from './cases/threads.js'
import { createFixture } from './fixture.js'
import { closeAllStreams } from './http.js'
import type { ConformanceTarget } from './target.js'

export type { ConformanceServer, ConformanceTarget } from './target.js'
export { signupTeam } from './target.js'

export interface SuiteOptions {
  /**
   * Whether the target's server offers `newTeam`; decided before the server starts because
   * vitest collects tests first. Defaults to `target.signup`.
   */
  teams?: boolean
}

export function defineConformanceSuite(target: ConformanceTarget, options: SuiteOptions = {}): void {
  describe(`conformance: ${target.name}`, () => {
    const { fixture, setup, teardown } = createFixture(target)
    beforeAll(setup, 120_000)
    afterAll(teardown, 60_000)
    afterEach(() => closeAllStreams())

    basicCases(fixture)
    keyCases(fixture)
    channelCases(fixture)
    messageCases(fixture)
    threadCases(fixture)
    ackCases(fixture)
    statusCases(fixture)
    auditCases(fixture)
    permissionCases(fixture)
    streamCases(fixture)
    resumeCases(fixture)
    hostileCases(fixture)
    isolationCases(fixture, options.teams ?? target.signup)
    rateLimitCases(fixture)
  })
}
