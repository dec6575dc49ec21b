// Invites and pairing. An invite is a one-time 32-byte secret; its code is the secret in z32.
// The inviting node meets the joiner on a swarm topic derived from the secret (so the code names
// nothing else: not the team, not its key) and they talk over a protomux channel on that
// connection. Both sides prove they hold the secret with keyed hashes; the inviter then appends
// the MemberAdd (the joiner's device key, its writer key, the invite's role, every epoch key
// sealed to the device) and answers with the team key and the log's key.
import c from 'compact-encoding'
import type { Protomux, ProtomuxChannel } from 'protomux'
import z32 from 'z32'
import { UsageError } from '../sdk/cli-errors.js'
import { keyedHash } from '../sdk/protocol/index.js'
import type { Role } from './view/records.js'

export const PAIR_PROTOCOL = 'handoff/pair/v1'
const CODE_VERSION = 1
/** How long an invite code stays valid. */
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000

export const inviteTopic = (secret: Buffer) => keyedHash(secret, 'handoff/v1/invite-topic')
export const inviteIdOf = (secret: Buffer) => keyedHash(secret, 'handoff/v1/invite-id')

export function encodeInviteCode(secret: Buffer): string {
  return z32.encode(Buffer.concat([Buffer.from([CODE_VERSION]), secret]))
}

export function decodeInviteCode(code: string): Buffer {
  let bytes: Buffer
  try {
    bytes = z32.decode(code.trim())
  } catch {
    throw new UsageError('that is not an invite code')
  }
  if (bytes.length !== 33 || bytes[0] !== CODE_VERSION) throw new UsageError('that is not an invite code')
  return bytes.subarray(1)
}

export interface PairRequest {
  publicKey: string
  writer: string
  /** proves the joiner holds the code */
  proof: string
}

export interface PairResponse {
  ok: boolean
  error?: string
  team?: { id: string; name: string; key: string; base: string; created_at: string }
  name?: string
  role?: Role
  /** the inviting node's swarm key: the joiner dials it directly */
  peer?: string
  /** proves the answer comes from a holder of the code */
  proof?: string
}

export function requestProof(secret: Buffer, publicKey: string, writer: string): string {
  return keyedHash(
    secret,
    'handoff/v1/pair-request',
    Buffer.from(publicKey, 'hex'),
    Buffer.from(writer, 'hex'),
  ).toString('hex')
}

export function responseProof(secret: Buffer, response: PairResponse): string {
  const fields = JSON.stringify([response.team, response.name, response.role, response.peer])
  return keyedHash(secret, 'handoff/v1/pair-response', Buffer.from(fields)).toString('hex')
}

/** A pairing channel: one JSON message type each way. */
export function openPairChannel(
  mux: Protomux,
  inviteId: Buffer,
  handlers: { onopen?: () => void; onmessage: (message: unknown) => void; onclose?: () => void },
): { channel: ProtomuxChannel; send(message: unknown): void } | null {
  const channel = mux.createChannel({
    protocol: PAIR_PROTOCOL,
    id: inviteId,
    onopen: () => handlers.onopen?.(),
    onclose: () => handlers.onclose?.(),
  })
  if (!channel) return null
  const message = channel.addMessage({
    encoding: c.string,
    onmessage: (text: never) => {
      try {
        handlers.onmessage(JSON.parse(text as string))
      } catch {
        channel.close()
      }
    },
  })
  channel.open()
  return { channel, send: (value) => message.send(JSON.stringify(value)) }
}

/**
 * The joiner's side of a pairing channel on `mux`: it sends the request once the channel opens;
 * `answered` gets the inviter's answer once its proof shows a holder of the code made it (any
 * other answer is ignored), or an error when the inviter refused. The proof covers team, name,
 * role and peer only (responseProof): fields beyond those, such as a relay join's `relay_key`,
 * are not proved by it; there they are protected by the sealed relay pipe they travel in
 * (node/bridge/pipe.ts). The channel closes once `answered` fired: pairing is one exchange, and
 * the connection under it goes on replicating.
 */
export function askToPair<R extends PairResponse>(
  mux: Protomux,
  secret: Buffer,
  request: { publicKey: string; writer: string },
  answered: (result: { error: Error } | { response: R }) => void,
): void {
  const proof = requestProof(secret, request.publicKey, request.writer)
  const done = (result: { error: Error } | { response: R }) => {
    try {
      answered(result)
    } finally {
      pair?.channel.close()
    }
  }
  const pair = openPairChannel(mux, inviteIdOf(secret), {
    onopen: () => pair?.send({ ...request, proof }),
    onmessage: (message) => {
      const response = message as R
      if (!response.ok)
        return done({ error: new Error(`the inviting node refused: ${response.error ?? 'no reason'}`) })
      if (response.proof === responseProof(secret, response)) done({ response })
    },
  })
}
