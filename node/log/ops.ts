// How the node spells each operation as a protocol envelope (sdk/protocol): which header field
// carries what, and the body of each type. Content bodies are sealed with the epoch key; the
// membership bodies (MemberAdd, MemberRemove, EpochKey) with the team's control key, which every
// member holds from the moment it joins, so that `apply` can read them on every replica alike
// (an epoch key a late joiner never received must not change what its view contains).
import { canonicalCursor } from '../../sdk/api/schemas.js'
import {
  decodeBody,
  type Envelope,
  encodeBody,
  keyedHash,
  messageIdOf,
  OpType,
  openEnvelope,
  type SigningKeyPair,
  sealEnvelope,
} from '../../sdk/protocol/index.js'
import type { Role } from '../view/records.js'

export { OpType }

/** Key of the membership bodies: derived from the team key, never rotated. */
export function controlKeyOf(teamKey: Uint8Array): Buffer {
  return keyedHash(teamKey, 'handoff/v1/node-control')
}

/**
 * A sender name as the view indexes it (acks per sender, the `sender` filter): a keyed hash, so
 * the view and the relay see a stable tag but not the name.
 */
export function senderTagOf(teamKey: Uint8Array, sender: string): string {
  return keyedHash(teamKey, 'handoff/v1/sender-tag', sender).subarray(0, 16).toString('hex')
}

export interface MessageBody {
  content: string
  sender: string
}
export interface DeleteBody {
  by: string
}
export interface StatusBody {
  key: string
  value: string
  by: string
}
export interface AckBody {
  sender: string
  last_read_id: string
}
export interface ChannelBody {
  description: string | null
}
export interface MemberAddBody {
  publicKey: string
  writer: string
  role: Role
  name: string
  /** epoch -> that epoch's key sealed to the new member, so it can read the history */
  sealed: Record<string, string>
  /**
   * Genesis only: the team's log format. 2: applied envelopes are marked under doneKey
   * (node/view/keys.ts). Absent in teams created before: their marks are `d/<id>`.
   */
  format?: 2
}
export interface EpochKeyBody {
  epoch: number
  sealed: Record<string, string>
}

/** What the node signs with: its device key, the team ids and its epoch keys. */
export interface Signer {
  teamId: Buffer
  teamKey: Buffer
  controlKey: Buffer
  device: SigningKeyPair
  epoch(): { epoch: number; key: Buffer }
}

// Ids derive from the author's clock; keeping one node's times strictly increasing keeps the ids
// of its own writes in the order it made them, even within one millisecond.
let lastTime = 0
function nextTime(): number {
  lastTime = Math.max(Date.now(), lastTime + 1)
  return lastTime
}

export interface ContentOp {
  type: OpType
  channel: string
  body: object
  thread_id?: string | null
  mention?: string | null
  ref?: string | null
}

export function sealContent(signer: Signer, op: ContentOp): Envelope {
  const { epoch, key } = signer.epoch()
  return sealEnvelope(
    {
      type: op.type,
      team: signer.teamId,
      channel: op.channel,
      epoch,
      time: nextTime(),
      thread_id: op.thread_id ?? null,
      mention: op.mention ?? null,
      ref: op.ref ?? null,
      body: encodeBody({ ...op.body }),
    },
    { epochKey: key, signer: signer.device },
  )
}

export function sealControl(signer: Signer, type: OpType, ref: string, body: object): Envelope {
  return sealEnvelope(
    {
      type,
      team: signer.teamId,
      channel: '',
      epoch: 0,
      time: nextTime(),
      ref,
      body: encodeBody({ ...body }),
    },
    { epochKey: signer.controlKey, signer: signer.device },
  )
}

export function openControl<T>(envelope: Envelope, controlKey: Buffer): T {
  return decodeBody<T>(openEnvelope(envelope, controlKey))
}

export function openContent<T>(envelope: Envelope, epochKey: Buffer): T {
  return decodeBody<T>(openEnvelope(envelope, epochKey))
}

export function decodeOpBody<T>(bytes: Uint8Array): T {
  return decodeBody<T>(bytes)
}

export const CONTROL_TYPES = new Set<OpType>([OpType.MemberAdd, OpType.MemberRemove, OpType.EpochKey])

/** The API id of an envelope, canonical (no leading zeros) as the HTTP layer hands ids to stores. */
export function apiIdOf(envelope: Envelope): string {
  return canonicalCursor(messageIdOf(envelope))
}
