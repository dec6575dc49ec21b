// `handoff join CODE --relay URL`: the joining side of pairing through a relay pairing box
// (bridge/pipe.ts) instead of the swarm: the same proofs and replication as join.ts, carried by
// a sealed pipe, for a joiner that cannot reach the inviting node over the DHT.
import Autobase from 'autobase'
import type Corestore from 'corestore'
import type { Protomux } from 'protomux'
import { UsageError } from '../sdk/cli-errors.js'
import { generateSigningKeyPair } from '../sdk/protocol/index.js'
import { writeRelayAccess } from './bridge/access.js'
import { BoxClient, followBox, newSession, PipeCodec, PipeEnd, type RawStream } from './bridge/pipe.js'
import { ensureDir, type Identity, paths, readIdentity, writeIdentity } from './data-dir.js'
import type { RelayPairResponse } from './invites.js'
import type { JoinResult } from './join.js'
import { identityFromAnswer, openTeamLog, waitUntilWriter } from './join-common.js'
import { openCorestore } from './log/storage.js'
import { askToPair, decodeInviteCode } from './pairing.js'

export interface RelayJoinOptions {
  dataDir: string
  code: string
  /** the relay the inviting node is bridged to */
  relay: string
  /** a relay key of the joiner's own; by default the one the inviter mints in its answer */
  relayKey?: string
  /** give up after this long (default 120 s) */
  timeoutMs?: number
}

export interface RelayJoinResult extends JoinResult {
  /** where `handoff node` will sync; key null when the inviter could not mint one and none was given */
  relay: { url: string; key: string | null }
}

type ReplicationStream = RawStream & { noiseStream: { userData: Protomux } }

export async function joinThroughRelay(options: RelayJoinOptions): Promise<RelayJoinResult> {
  const secret = decodeInviteCode(options.code)
  const dir = options.dataDir
  if (!/^https?:\/\//.test(options.relay)) throw new UsageError('--relay must be an http(s) URL')
  if (await readIdentity(dir)) throw new UsageError(`${dir} already holds a team; use another --data dir`)
  await reachable(options.relay)
  await ensureDir(dir)
  const signal = AbortSignal.timeout(options.timeoutMs ?? 120_000)
  const pipe = new AbortController()
  const corestore = openCorestore(paths(dir).corestore)
  try {
    await corestore.ready()
    const writer = (await Autobase.getLocalKey(corestore)).toString('hex')
    const device = generateSigningKeyPair()
    const publicKey = device.publicKey.toString('hex')

    // the joiner opens the session: the inviter answers whatever session appears in its box
    const stream = corestore.replicate(true) as ReplicationStream
    const codec = new PipeCodec(secret)
    const client = new BoxClient(options.relay, codec.box)
    const end = new PipeEnd(client, codec, 'j', newSession(), stream, pipe.signal)
    const session = end.session.toString('hex')
    void followBox(client, 'i', end.signal, (frame) => {
      const opened = codec.open('i', frame)
      if (opened && opened.session === session) end.deliver(opened.seq, opened.data)
    })

    const response = await pair(stream.noiseStream.userData, secret, publicKey, writer, signal, end.signal)
    const identity = identityFromAnswer(response, device)
    await writeIdentity(dir, identity)
    const key = options.relayKey ?? response.relay_key ?? null
    if (key) await writeRelayAccess(dir, { url: options.relay, key })
    // the corestore already replicates over the pipe: the team log's cores join that stream
    await becomeWriter(corestore, identity, dir, signal)
    return {
      team: { id: identity.team.id, name: identity.team.name },
      name: identity.name,
      role: identity.role,
      relay: { url: options.relay, key },
    }
  } finally {
    pipe.abort()
    await corestore.close()
  }
}

/** A relay that does not answer fails the join at once, not after the whole timeout. */
async function reachable(url: string): Promise<void> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/healthz`, {
    signal: AbortSignal.timeout(10_000),
  }).catch(() => null)
  if (!res?.ok) throw new Error(`the relay at ${url} does not answer`)
  await res.body?.cancel()
}

function pair(
  mux: Protomux,
  secret: Buffer,
  publicKey: string,
  writer: string,
  signal: AbortSignal,
  pipeSignal: AbortSignal,
): Promise<RelayPairResponse> {
  return new Promise<RelayPairResponse>((resolve, reject) => {
    const fail = (message: string) => () => reject(new Error(message))
    signal.addEventListener(
      'abort',
      fail('no answer through the relay (is the inviting node running with --relay?)'),
      {
        once: true,
      },
    )
    pipeSignal.addEventListener('abort', fail('the pipe through the relay broke'), { once: true })
    askToPair<RelayPairResponse>(mux, secret, { publicKey, writer }, (result) => {
      if ('error' in result) reject(result.error)
      else resolve(result.response)
    })
  })
}

async function becomeWriter(corestore: Corestore, identity: Identity, dir: string, signal: AbortSignal) {
  const { log, keys } = openTeamLog(corestore, identity, dir)
  try {
    await log.ready()
    await waitUntilWriter(log, keys, signal)
  } finally {
    await log.close()
  }
}
