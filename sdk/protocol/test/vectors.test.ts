import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeEnvelope, openEnvelope, verifyEnvelope } from '../index.js'
import { VECTOR_INPUTS } from './vector-inputs.js'
import { computeVectors } from './vectors.js'

function documentedVectors(): Record<string, string> {
  const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8')
  const block = /```json protocol-vectors\n([\s\S]*?)```/.exec(doc)
  if (!block?.[1]) throw new Error('docs/protocol.md has no protocol-vectors block')
  return JSON.parse(block[1])
}

describe('test vectors', () => {
  it('match the bytes documented in docs/protocol.md exactly', async () => {
    expect(await computeVectors()).toEqual(documentedVectors())
  })

  it('the documented envelope verifies and opens to the documented body', () => {
    const envelope = decodeEnvelope(Buffer.from(documentedVectors().envelope!, 'hex'))
    verifyEnvelope(envelope)
    const body = openEnvelope(envelope, Buffer.from(VECTOR_INPUTS.epochKey, 'hex'))
    expect(body.toString()).toBe(VECTOR_INPUTS.body)
  })
})
