// Every way an envelope can be refused, as a typed error a caller can act on.
export type ProtocolErrorCode =
  | 'TRUNCATED' // the bytes end before the envelope does
  | 'MALFORMED' // the bytes parse but break a rule (sizes, trailing bytes, bad field)
  | 'UNKNOWN_VERSION' // a protocol version this implementation does not speak
  | 'BAD_SIGNATURE' // the author's signature does not match the bytes
  | 'DECRYPT_FAILED' // wrong key (other team, other epoch, other channel) or altered ciphertext
  | 'BAD_KEY' // a key of the wrong size or a sealed key that does not open

export class ProtocolError extends Error {
  override name = 'ProtocolError'
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message)
  }
}
