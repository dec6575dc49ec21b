// What both ways of joining share (join.ts over the swarm, join-relay.ts through a relay): the
// identity made from the inviter's answer, and the wait until the inviter's MemberAdd has made
// this device a writer and its sealed epoch keys open.
import { randomBytes } from 'node:crypto'
import type Corestore from 'corestore'
import type { SigningKeyPair } from '../sdk/protocol/index.js'
import type { Identity } from './data-dir.js'
import { NodeKeys } from './keyring.js'
import { controlKeyOf } from './log/ops.js'
import { TeamLog } from './log/team-log.js'
import type { PairResponse } from './pairing.js'

/** The new device's identity from a proved answer; an answer missing a part fails the join. */
export function identityFromAnswer(response: PairResponse, device: SigningKeyPair): Identity {
  if (!response.team || !response.name || !response.role)
    throw new Error('the inviting node sent an incomplete answer')
  return {
    version: 1,
    name: response.name,
    device: { publicKey: device.publicKey.toString('hex'), secretKey: device.secretKey.toString('hex') },
    team: response.team,
    role: response.role,
    epochs: {},
    swarmSeed: randomBytes(32).toString('hex'),
  }
}

/** The team log of a joined identity, not yet ready, with the keys that open it. */
export function openTeamLog(
  corestore: Corestore,
  identity: Identity,
  dir: string,
): { log: TeamLog; keys: NodeKeys } {
  const keys = new NodeKeys(identity, dir)
  const log = new TeamLog(corestore, Buffer.from(identity.team.base, 'hex'), {
    teamId: keys.teamId,
    controlKey: controlKeyOf(keys.teamKey),
  })
  return { log, keys }
}

/** Resolves once this device writes to the team log and holds at least one epoch key. */
export async function waitUntilWriter(log: TeamLog, keys: NodeKeys, signal: AbortSignal): Promise<void> {
  await log.waitWritable(signal)
  while (!(await keys.refresh(log.view)) && keys.allEpochs().length === 0) {
    signal.throwIfAborted()
    await new Promise((r) => setTimeout(r, 200))
    await log.update()
  }
}
