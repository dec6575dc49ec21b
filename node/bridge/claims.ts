// Exactly-once imports across bridging nodes. Before importing a relay record (an HTTP client's
// message or status change), a bridge pushes a *claim*: an envelope every node of the team builds
// byte for byte the same from (channel, record id): key, signer and sync space derived from the
// team key, a nonce derived from the record, and Ed25519 signatures being deterministic. The
// relay stores one first arrival per envelope id (and remembers the id for 30 days), so exactly
// one bridge sees `duplicate: false` and imports. The claim space is never pulled.
import type { RelaySync } from '../../sdk/client/relay-sync.js'
import { keyedHash, OpType, sealEnvelope, signingKeyPairFromSeed } from '../../sdk/protocol/index.js'

/**
 * Relay records older than this are not imported: past the relay's 30-day memory of a claim, a
 * bridge starting afresh could win it again and import a record twice.
 */
const IMPORT_MAX_AGE_MS = 25 * 24 * 3600 * 1000

export class Claims {
  private readonly key: Buffer
  private readonly space: Buffer
  private readonly signer: ReturnType<typeof signingKeyPairFromSeed>

  constructor(
    teamKey: Buffer,
    private readonly relay: RelaySync,
  ) {
    this.key = keyedHash(teamKey, 'handoff/v1/relay-claim-key')
    this.space = keyedHash(teamKey, 'handoff/v1/relay-claim-space')
    this.signer = signingKeyPairFromSeed(keyedHash(teamKey, 'handoff/v1/relay-claim-signer'))
  }

  /** True when this bridge is the first to claim record `id` of `channel`. */
  async claim(channel: string, id: string): Promise<boolean> {
    const what = `${channel}\n${id}`
    const envelope = sealEnvelope(
      {
        type: OpType.Message,
        team: this.space,
        channel,
        epoch: 0,
        time: 0,
        ref: id,
        body: Buffer.from(what),
        nonce: keyedHash(this.key, 'handoff/v1/relay-claim-nonce', what).subarray(0, 24),
      },
      { epochKey: this.key, signer: this.signer },
    )
    const [result] = await this.relay.push([envelope.bytes])
    return result?.duplicate === false
  }
}

/** A record's age check for imports (see IMPORT_MAX_AGE_MS). */
export function tooOld(iso: string): boolean {
  return Date.now() - Date.parse(iso) > IMPORT_MAX_AGE_MS
}
