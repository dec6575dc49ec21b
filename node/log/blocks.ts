// How envelopes sit in the blocks of a writer core. A lone envelope is a block of its own; the
// envelopes of one local batch (the write queue's group commit, a bridge pull) share blocks of up
// to MAX_BLOCK_ENVELOPES envelopes or MAX_BLOCK_BYTES bytes of envelopes (plus a few bytes of
// framing). Every block costs the same fixed work however small it is (a hypercore request, a
// merkle proof and its checks, autobase loading and linearizing a node), and a 509-byte message
// in a block of its own paid it in full: a peer catching up a burst of 10,000 messages spent 5x
// the time raw hypercore needs to move them.
//
// A batch block is `0x00` followed by a compact-encoding array of envelope buffers. An envelope
// starts with its protocol version (compact uint, >= 1), so the first byte tells the two apart.
// Each envelope inside a batch is still verified, deduplicated and applied (or dropped) on its own.
import c from 'compact-encoding'

/** First byte of a batch block; never the first byte of an envelope (its version is >= 1). */
const BATCH_TAG = 0
/** Envelopes per batch block at most: a block is pushed to a relay whole (SYNC_MAX_PUSH is 100). */
export const MAX_BLOCK_ENVELOPES = 64
/** Envelope bytes per batch block at most, framing aside (a larger envelope gets a block of its own). */
export const MAX_BLOCK_BYTES = 64 * 1024

const envelopeList = c.array(c.buffer)

/** `envelopes`, in order, as the fewest blocks the caps allow. */
export function packBlocks(envelopes: Buffer[]): Buffer[] {
  const blocks: Buffer[] = []
  let group: Buffer[] = []
  let bytes = 0
  const close = () => {
    if (group.length === 1) blocks.push(group[0] as Buffer)
    else if (group.length > 1) blocks.push(encodeBatch(group))
    group = []
    bytes = 0
  }
  for (const envelope of envelopes) {
    // either would make a batch malformed, and apply would drop the envelopes beside it too
    if (envelope.byteLength === 0 || envelope[0] === BATCH_TAG) throw new Error('not an envelope')
    const full = group.length >= MAX_BLOCK_ENVELOPES || bytes + envelope.byteLength > MAX_BLOCK_BYTES
    if (group.length > 0 && full) close()
    group.push(envelope)
    bytes += envelope.byteLength
  }
  close()
  return blocks
}

function encodeBatch(envelopes: Buffer[]): Buffer {
  const state = c.state()
  c.uint.preencode(state, BATCH_TAG)
  envelopeList.preencode(state, envelopes)
  state.buffer = Buffer.allocUnsafe(state.end)
  c.uint.encode(state, BATCH_TAG)
  envelopeList.encode(state, envelopes)
  return state.buffer as Buffer
}

/**
 * The envelopes a block holds (the block itself when it is not a batch). Throws when a batch
 * block is malformed: truncated, trailing bytes, fewer than two or more than MAX_BLOCK_ENVELOPES
 * envelopes (any writer can append any bytes: the count is checked before anything is
 * allocated for it), an empty one, or a batch inside.
 */
export function envelopesOf(block: Buffer): Buffer[] {
  if (block.byteLength === 0 || block[0] !== BATCH_TAG) return [block]
  const state = c.state(1, block.byteLength, block)
  const count = c.uint.decode(state)
  if (count < 2 || count > MAX_BLOCK_ENVELOPES) {
    throw new Error(`batch block holds ${count} envelopes (2 to ${MAX_BLOCK_ENVELOPES})`)
  }
  const envelopes: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const envelope = c.buffer.decode(state) // an empty buffer decodes as null
    if (!envelope || envelope[0] === BATCH_TAG) {
      throw new Error('batch block holds an empty block or another batch')
    }
    envelopes.push(envelope)
  }
  if (state.start !== block.byteLength) throw new Error('batch block has trailing bytes')
  return envelopes
}
