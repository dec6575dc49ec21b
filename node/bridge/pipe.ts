// A sealed two-way byte pipe through a relay pairing box (docs/node.md, "Joining through a
// relay"). It carries exactly what a swarm connection carries during a join (the Noise-encrypted
// replication stream with the pairing channel inside), so the relay path reuses the swarm path's
// proofs and replication. On top of Noise, every frame is sealed (XChaCha20-Poly1305) with a key
// derived from the invite secret: the relay, which never has the secret, cannot read frames nor
// sit in the middle of the Noise handshake, and a dropped, replayed or reordered frame fails
// the sequence check and ends the pipe.
import sodium from 'sodium-native'
import {
  PAIR_FRAME_MAX_BYTES,
  PAIR_FRAMES_MAX,
  type PairFramePage,
  type PairOpenRequest,
  type PairSide,
} from '../../sdk/api/pair-box.js'
import { sleep } from '../../sdk/client/backoff.js'
import { jsonOrThrow } from '../../sdk/client/http.js'
import { keyedHash, randomBytes } from '../../sdk/protocol/index.js'

const SESSION_BYTES = 16
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
const ABYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
const HEAD_BYTES = SESSION_BYTES + 8 + NONCE_BYTES
/** plaintext per frame, so a sealed frame stays within the relay's frame limit */
const CHUNK_BYTES = PAIR_FRAME_MAX_BYTES - HEAD_BYTES - ABYTES
/** bytes per POST (the relay takes up to PAIR_FRAMES_MAX frames) */
const POST_MAX_BYTES = 2 * 1024 * 1024
/**
 * The longest wait between two looks for frames during a session. Right after frames came the
 * next look is almost at once and the wait doubles from FAST_POLL_MS with each empty look: a
 * join is a chain of request/answer round trips, each costing a look.
 */
export const PIPE_POLL_MS = 250
const FAST_POLL_MS = 10

/** The replication stream an end carries (corestore.replicate(isInitiator)'s raw side). */
export interface RawStream {
  write(data: Buffer): boolean
  destroy(err?: Error): void
  on(event: 'data', fn: (data: Buffer) => void): unknown
  on(event: 'close', fn: () => void): unknown
  on(event: 'error', fn: (err: Error) => void): unknown
  readonly destroyed: boolean
}

/** Box address and frame keys of one invite secret. */
export class PipeCodec {
  readonly box: string
  private readonly keys: Record<PairSide, Buffer>

  constructor(secret: Buffer) {
    this.box = keyedHash(secret, 'handoff/v1/pair-box').toString('hex')
    this.keys = {
      j: keyedHash(secret, 'handoff/v1/pair-pipe', 'j'),
      i: keyedHash(secret, 'handoff/v1/pair-pipe', 'i'),
    }
  }

  seal(side: PairSide, session: Buffer, seq: number, data: Buffer): string {
    const head = Buffer.alloc(HEAD_BYTES)
    session.copy(head, 0)
    head.writeBigUInt64BE(BigInt(seq), SESSION_BYTES)
    const nonce = head.subarray(SESSION_BYTES + 8)
    sodium.randombytes_buf(nonce)
    const ct = Buffer.alloc(data.byteLength + ABYTES)
    // the side is bound too: a frame cannot be reflected back to its sender
    const ad = Buffer.concat([head.subarray(0, SESSION_BYTES + 8), Buffer.from(side)])
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(ct, data, ad, null, nonce, this.keys[side])
    return Buffer.concat([head, ct]).toString('base64')
  }

  /** null for anything not sealed by a holder of the secret on that side */
  open(side: PairSide, frame: string): { session: string; seq: number; data: Buffer } | null {
    const bytes = Buffer.from(frame, 'base64')
    if (bytes.byteLength < HEAD_BYTES + ABYTES) return null
    const head = bytes.subarray(0, HEAD_BYTES)
    const ct = bytes.subarray(HEAD_BYTES)
    const data = Buffer.alloc(ct.byteLength - ABYTES)
    const ad = Buffer.concat([head.subarray(0, SESSION_BYTES + 8), Buffer.from(side)])
    try {
      sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        data,
        null,
        ct,
        ad,
        head.subarray(SESSION_BYTES + 8),
        this.keys[side],
      )
    } catch {
      return null
    }
    const seq = Number(head.readBigUInt64BE(SESSION_BYTES))
    return { session: head.subarray(0, SESSION_BYTES).toString('hex'), seq, data }
  }
}

export const newSession = (): Buffer => randomBytes(SESSION_BYTES)

/**
 * The relay's box routes for one box (relay/routes/pairing.ts): reading and writing need no API
 * key (the joiner has none); opening and closing take the inviting node's relay key.
 */
export class BoxClient {
  private readonly base: string

  constructor(url: string, box: string) {
    this.base = `${url.replace(/\/+$/, '')}/api/pair/${box}`
  }

  /** Opens (or renews) the box under `key`'s team until `expiresAt` (ms). */
  async open(key: string, expiresAt: number, signal: AbortSignal): Promise<void> {
    const body: PairOpenRequest = { expires_at: new Date(expiresAt).toISOString() }
    await this.call('PUT', '', signal, { key, body })
  }

  /** Deletes the box and its frames (it served its invite). */
  async close(key: string, signal: AbortSignal): Promise<void> {
    await this.call('DELETE', '', signal, { key })
  }

  async post(side: PairSide, frames: string[], signal: AbortSignal): Promise<void> {
    await this.call('POST', `/${side}`, signal, { body: { frames } })
  }

  read(side: PairSide, after: string, signal: AbortSignal): Promise<PairFramePage> {
    return this.call<PairFramePage>('GET', `/${side}?after=${encodeURIComponent(after)}`, signal)
  }

  /** One request to the box: only opening and closing carry a key (the joiner has none). */
  private async call<T>(
    method: string,
    path: string,
    signal: AbortSignal,
    { key, body }: { key?: string; body?: unknown } = {},
  ): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(20_000)]),
    })
    return jsonOrThrow<T>(res)
  }
}

/**
 * Reads one side of a box from `after` until the signal ends, handing over each frame in order.
 * A failed read is retried (the relay may restart); `pollMs()` caps the wait after empty pages.
 */
export async function followBox(
  client: BoxClient,
  side: PairSide,
  signal: AbortSignal,
  onFrame: (frame: string) => void,
  pollMs: () => number = () => PIPE_POLL_MS,
  /** told of each failed read before the retry (the inviter re-opens a box the relay lost) */
  onFailure: (err: unknown) => Promise<void> | void = () => {},
): Promise<void> {
  let after = '0'
  let failures = 0
  let empty = 0
  while (!signal.aborted) {
    try {
      const page = await client.read(side, after, signal)
      failures = 0
      after = page.next_after
      for (const f of page.frames) onFrame(f.data)
      empty = page.frames.length > 0 ? 0 : empty + 1
      const wait = Math.min(pollMs(), FAST_POLL_MS * 2 ** Math.min(empty, 10))
      if (page.frames.length < PAIR_FRAMES_MAX) await sleep(wait, signal).catch(() => {})
    } catch (err) {
      if (signal.aborted) return
      await Promise.resolve(onFailure(err)).catch(() => {})
      await sleep(Math.min(5_000, 250 * 2 ** failures++), signal).catch(() => {})
    }
  }
}

/**
 * One end of a pipe: what the stream writes is sealed and posted in order (one POST at a time,
 * retried as is: the far end drops repeats by sequence); frames for this session are written
 * into the stream in sequence order. Ends (and destroys the stream) on a gap, or when the stream
 * closes or the signal aborts.
 */
export class PipeEnd {
  private seqOut = 0
  private seqIn = 0
  private readonly queue: string[] = []
  private sending = false
  private readonly controller = new AbortController()

  constructor(
    private readonly client: BoxClient,
    private readonly codec: PipeCodec,
    /** the side this end writes */
    private readonly side: PairSide,
    readonly session: Buffer,
    private readonly stream: RawStream,
    signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.close(), { once: true })
    stream.on('data', (data) => this.send(data))
    stream.on('error', () => {})
    stream.on('close', () => this.close())
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  get closed(): boolean {
    return this.controller.signal.aborted
  }

  /** A frame of this session from the far side, already opened. */
  deliver(seq: number, data: Buffer): void {
    if (this.closed || seq < this.seqIn) return // a repeat of a retried POST
    if (seq > this.seqIn) {
      this.close(new Error('pairing pipe: a frame went missing'))
      return
    }
    this.seqIn++
    this.stream.write(data)
  }

  private send(data: Buffer): void {
    if (this.closed) return
    for (let at = 0; at < data.byteLength; at += CHUNK_BYTES) {
      this.queue.push(
        this.codec.seal(this.side, this.session, this.seqOut++, data.subarray(at, at + CHUNK_BYTES)),
      )
    }
    if (!this.sending) void this.flush()
  }

  private async flush(): Promise<void> {
    this.sending = true
    let failures = 0
    while (this.queue.length > 0 && !this.closed) {
      let bytes = 0
      let n = 0
      while (n < this.queue.length && n < PAIR_FRAMES_MAX && bytes < POST_MAX_BYTES)
        bytes += (this.queue[n++] as string).length
      try {
        await this.client.post(this.side, this.queue.slice(0, n), this.signal)
        this.queue.splice(0, n)
        failures = 0
      } catch (err) {
        if (this.closed) break
        // a full box or a refused frame will not get better by retrying
        const status = (err as { status?: number }).status
        if (status === 413 || status === 400) {
          this.close(err as Error)
          break
        }
        await sleep(Math.min(5_000, 250 * 2 ** failures++), this.signal).catch(() => {})
      }
    }
    this.sending = false
  }

  close(err?: Error): void {
    if (this.closed) return
    this.controller.abort()
    if (!this.stream.destroyed) this.stream.destroy(err)
  }
}
