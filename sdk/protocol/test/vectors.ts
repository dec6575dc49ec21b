// Computes the test vectors from their fixed inputs (used by the test and to print the docs).
import { sealEnvelope } from '../envelope.js'
import { deriveChannelKey, derivePassphraseKey, signingKeyPairFromSeed, teamTopic } from '../keys.js'
import { VECTOR_INPUTS as v } from './vector-inputs.js'

export interface Vectors {
  signerPublicKey: string
  channelKey: string
  teamTopic: string
  envelope: string
  envelopeId: string
  messageId: string
  passphraseKey: string
}

export async function computeVectors(): Promise<Vectors> {
  const signer = signingKeyPairFromSeed(Buffer.from(v.signerSeed, 'hex'))
  const epochKey = Buffer.from(v.epochKey, 'hex')
  const envelope = sealEnvelope(
    {
      type: v.type,
      team: Buffer.from(v.team, 'hex'),
      channel: v.channel,
      epoch: v.epoch,
      time: v.time,
      mention: v.mention,
      thread_id: v.threadId,
      nonce: Buffer.from(v.nonce, 'hex'),
      body: Buffer.from(v.body, 'utf8'),
    },
    { epochKey, signer },
  )
  const { messageIdOf } = await import('../envelope.js')
  return {
    signerPublicKey: signer.publicKey.toString('hex'),
    channelKey: deriveChannelKey(epochKey, v.channel).toString('hex'),
    teamTopic: teamTopic(epochKey).toString('hex'),
    envelope: envelope.bytes.toString('hex'),
    envelopeId: envelope.id.toString('hex'),
    messageId: messageIdOf(envelope),
    passphraseKey: (await derivePassphraseKey(v.passphrase)).toString('hex'),
  }
}

if (process.argv[1]?.endsWith('vectors.ts')) {
  console.log(JSON.stringify(await computeVectors(), null, 2))
}
