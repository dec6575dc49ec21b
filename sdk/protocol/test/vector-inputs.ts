// Fixed inputs for the protocol test vectors in docs/protocol.md. Changing any of these (or the
// bytes they produce) is a protocol change: bump PROTOCOL_VERSION.
import { OpType } from '../header.js'

export const VECTOR_INPUTS = {
  signerSeed: '0101010101010101010101010101010101010101010101010101010101010101',
  epochKey: '0202020202020202020202020202020202020202020202020202020202020202',
  team: '0303030303030303030303030303030303030303030303030303030303030303',
  nonce: '040404040404040404040404040404040404040404040404',
  channel: 'infra',
  time: 1_767_225_600_000, // 2026-01-01T00:00:00Z
  epoch: 0,
  type: OpType.Message,
  mention: 'bob',
  threadId: '',
  body: '{"content":"EKS cluster ready"}',
  passphrase: 'team-secret',
}
