// Reading envelopes found in relay records (`hf1:` content strings and status values) with the
// node's keys. Failures are answers (null / false), never throws: relay records are untrusted.
import {
  decodeBody,
  decodeContentString,
  type Envelope,
  openEnvelope,
  verifyEnvelope,
} from '../../sdk/protocol/index.js'
import type { NodeKeys } from '../keyring.js'

/** The envelope inside an `hf1:` string; null for anything else. */
export function envelopeIn(content: string): Envelope | null {
  try {
    return decodeContentString(content)
  } catch {
    return null
  }
}

export function verified(envelope: Envelope): boolean {
  try {
    verifyEnvelope(envelope)
    return true
  } catch {
    return false
  }
}

/** The decrypted JSON body, when this node holds the envelope's epoch key; else null. */
export function bodyOf(keys: NodeKeys, envelope: Envelope): Record<string, unknown> | null {
  const key = keys.epochKey(envelope.header.epoch)
  if (!key) return null
  try {
    return decodeBody<Record<string, unknown>>(openEnvelope(envelope, key))
  } catch {
    return null
  }
}
