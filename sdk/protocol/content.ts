// How envelopes travel inside the seed's JSON API: `content` strings with a version prefix,
// and operation bodies as UTF-8 JSON.
import { decodeEnvelope, type Envelope } from './envelope.js'

/** Prefix of an envelope carried in a `content` string (the seed used "e2ee:" for AES-GCM). */
export const CONTENT_PREFIX = 'hf1:'

export function encodeContentString(envelope: Pick<Envelope, 'bytes'>): string {
  return CONTENT_PREFIX + envelope.bytes.toString('base64url')
}

export function isEnvelopeContent(content: string): boolean {
  return content.startsWith(CONTENT_PREFIX)
}

/** The envelope inside a content string; null when the string is not one (plain text). */
export function decodeContentString(content: string): Envelope | null {
  if (!isEnvelopeContent(content)) return null
  return decodeEnvelope(Buffer.from(content.slice(CONTENT_PREFIX.length), 'base64url'))
}

export function encodeBody(body: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(body), 'utf8')
}

export function decodeBody<T = Record<string, unknown>>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T
}
