// A new device identity and team (first start), and the genesis operation that makes the
// creating device the team's first admin.

import { randomBytes } from 'node:crypto'
import {
  type Envelope,
  generateEpochKey,
  generateSigningKeyPair,
  sealToMember,
  teamFromKey,
} from '../sdk/protocol/index.js'
import type { Identity } from './data-dir.js'
import type { NodeKeys } from './keyring.js'
import { type MemberAddBody, OpType, sealControl } from './log/ops.js'

export function createIdentity(name: string): Identity {
  const device = generateSigningKeyPair()
  const teamKey = randomBytes(32)
  return {
    version: 1,
    name,
    device: { publicKey: device.publicKey.toString('hex'), secretKey: device.secretKey.toString('hex') },
    team: {
      id: teamFromKey(teamKey).teamId.toString('hex'),
      name,
      key: teamKey.toString('hex'),
      base: '',
      created_at: new Date().toISOString(),
    },
    role: 'admin',
    epochs: { '0': generateEpochKey().toString('hex') },
  }
}

/** Sealed copies of every epoch key this node holds, for one member's public key. */
export function sealEpochsTo(keys: NodeKeys, publicKey: Buffer): Record<string, string> {
  const sealed: Record<string, string> = {}
  for (const [epoch, key] of keys.allEpochs())
    sealed[String(epoch)] = sealToMember(key, publicKey).toString('hex')
  return sealed
}

export function memberAddEnvelope(
  keys: NodeKeys,
  member: { publicKey: Buffer; writer: Buffer; role: MemberAddBody['role']; name: string },
  genesis: Pick<MemberAddBody, 'format'> = {},
): Envelope {
  const body: MemberAddBody = {
    publicKey: member.publicKey.toString('hex'),
    writer: member.writer.toString('hex'),
    role: member.role,
    name: member.name,
    sealed: sealEpochsTo(keys, member.publicKey),
    ...genesis,
  }
  return sealControl(keys, OpType.MemberAdd, body.publicKey, body)
}

export function genesisEnvelope(keys: NodeKeys, writer: Buffer, name: string): Envelope {
  const self = { publicKey: keys.device.publicKey, writer, role: 'admin' as const, name }
  return memberAddEnvelope(keys, self, { format: 2 })
}
