// The inviting node's side of joining through a relay (docs/node.md, "Joining through a relay"):
// for each pending invite, watch its relay pairing box; each joiner session found there gets its
// own replication stream of this node's corestore, carried by a sealed pipe (pipe.ts), on which
// the invite host answers the pairing request exactly as on a swarm connection.
import type { Protomux } from 'protomux'
import { sleep } from '../../sdk/client/backoff.js'
import { PAIR_PROTOCOL } from '../pairing.js'
import { BoxClient, followBox, PIPE_POLL_MS, PipeCodec, PipeEnd, type RawStream } from './pipe.js'

/** a pending invite's box is looked at this often while no joiner talks through it */
const IDLE_POLL_MS = 1_000
/** a session with no frame for this long is gone (the joiner's Noise keep-alive is 5 s) */
const SESSION_IDLE_MS = 30_000
/** a used invite stays answerable this long: a joiner that crashed may ask again */
const RETIRE_AFTER_MS = 10 * 60 * 1000
/** sessions one invite answers at once (each costs a replication stream) */
const MAX_SESSIONS = 8

export interface RelayPairHostOptions {
  url: string
  /** the bridge's relay key: a box exists on the relay only once this node's team opened it */
  key: string
  /** a responder replication stream of the node's corestore (its raw, encrypted side) */
  replicate: () => RawStream & { noiseStream: { userData: Protomux } }
  /** called for each pairing channel a joiner opens on a session's mux */
  onPair: (mux: Protomux, id: Buffer | null) => void
  /** ends every watch and session */
  signal: AbortSignal
}

interface Session {
  end: PipeEnd
  lastFrame: number
}

interface Watch {
  controller: AbortController
  sessions: Map<string, Session>
  /** when to stop watching once no session runs: the invite's expiry, or soon after its use */
  retireAt: number
}

export class RelayPairHost {
  private readonly watches = new Map<string, Watch>()
  private closed = false

  constructor(private readonly options: RelayPairHostOptions) {
    options.signal.addEventListener('abort', () => this.close(), { once: true })
  }

  /** Starts answering joiners of this invite secret through the relay, until it expires. */
  watch(secret: Buffer, expiresAt: number): void {
    const codec = new PipeCodec(secret)
    if (this.closed || this.options.signal.aborted || this.watches.has(codec.box)) return
    const watch: Watch = { controller: new AbortController(), sessions: new Map(), retireAt: expiresAt }
    this.watches.set(codec.box, watch)
    const client = new BoxClient(this.options.url, codec.box)
    const pollMs = () => {
      const now = Date.now()
      for (const [id, s] of watch.sessions) {
        if (s.end.closed || now - s.lastFrame > SESSION_IDLE_MS) {
          s.end.close()
          watch.sessions.delete(id)
        }
      }
      if (now > watch.retireAt && watch.sessions.size === 0) this.stop(codec.box, client)
      return watch.sessions.size > 0 ? PIPE_POLL_MS : IDLE_POLL_MS
    }
    void this.run(watch, client, codec, expiresAt, pollMs)
  }

  /** Opens the box (retrying until the relay takes it), then answers what comes into it. */
  private async run(
    watch: Watch,
    client: BoxClient,
    codec: PipeCodec,
    expiresAt: number,
    pollMs: () => number,
  ): Promise<void> {
    const signal = watch.controller.signal
    const open = () => client.open(this.options.key, expiresAt, signal)
    for (let failures = 0; !signal.aborted; failures++) {
      try {
        await open()
        break
      } catch {
        // relay down, key revoked or the team's box limit reached: try again, slowly
        await sleep(Math.min(30_000, 1_000 * 2 ** failures), signal).catch(() => {})
      }
    }
    await followBox(
      client,
      'j',
      signal,
      (frame) => this.onFrame(watch, codec, client, frame),
      pollMs,
      // the relay lost the box (its Redis was emptied): open it again for the invite's lifetime
      async (err) => {
        if ((err as { status?: number }).status === 404 && Date.now() < expiresAt) await open()
      },
    )
  }

  /** The invite was used: keep answering its sessions a while (retries), then stop. */
  retire(secret: Buffer): void {
    const watch = this.watches.get(new PipeCodec(secret).box)
    if (watch) watch.retireAt = Math.min(watch.retireAt, Date.now() + RETIRE_AFTER_MS)
  }

  private onFrame(watch: Watch, codec: PipeCodec, client: BoxClient, frame: string): void {
    const opened = codec.open('j', frame)
    if (!opened) return // not sealed by a holder of the code: ignored
    let session = watch.sessions.get(opened.session)
    if (!session) {
      // only a session's first frame opens it: older sessions' leftovers in the box are skipped
      if (opened.seq !== 0 || watch.sessions.size >= MAX_SESSIONS) return
      const stream = this.options.replicate()
      const mux = stream.noiseStream.userData
      mux.pair({ protocol: PAIR_PROTOCOL }, (id) => this.options.onPair(mux, id))
      const end = new PipeEnd(
        client,
        codec,
        'i',
        Buffer.from(opened.session, 'hex'),
        stream,
        watch.controller.signal,
      )
      session = { end, lastFrame: Date.now() }
      watch.sessions.set(opened.session, session)
    }
    session.lastFrame = Date.now()
    session.end.deliver(opened.seq, opened.data)
  }

  private stop(box: string, client?: BoxClient): void {
    const watch = this.watches.get(box)
    if (!watch) return
    this.watches.delete(box)
    watch.controller.abort()
    // a retired box is closed at once so it stops counting against the team (it would expire
    // anyway); one the node stops watching because it closes stays open for its next start
    if (client) void client.close(this.options.key, this.options.signal).catch(() => {})
  }

  close(): void {
    this.closed = true
    for (const box of [...this.watches.keys()]) this.stop(box)
  }
}
