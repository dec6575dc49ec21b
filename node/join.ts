// `handoff join CODE`: the joining side of pairing (pairing.ts) over the swarm (join-relay.ts is
// the way through a relay). Meets the inviting node on the invite's topic, proves it holds the
// code, receives the team, stores its new identity, then replicates the team log until the
// inviter's MemberAdd makes this device a writer and its sealed epoch keys are opened.
import Autobase from 'autobase'
import type Corestore from 'corestore'
import Hyperswarm, { type SwarmConnection } from 'hyperswarm'
import type { Protomux } from 'protomux'
import { UsageError } from '../sdk/cli-errors.js'
import { generateSigningKeyPair } from '../sdk/protocol/index.js'
import { ensureDir, type Identity, paths, readIdentity, writeIdentity, writePeers } from './data-dir.js'
import { identityFromAnswer, openTeamLog, waitUntilWriter } from './join-common.js'
import { openCorestore } from './log/storage.js'
import { askToPair, decodeInviteCode, inviteTopic, type PairResponse } from './pairing.js'
import { PeerBook } from './peers.js'
import { type Bootstrap, createDht, TeamSwarm } from './swarm.js'

/** How long a pairing connection may stay silent before it is dropped and dialled again. */
const PAIR_ANSWER_MS = 2500

export interface JoinOptions {
  dataDir: string
  code: string
  bootstrap?: Bootstrap
  /** give up after this long (default 120 s) */
  timeoutMs?: number
}

export interface JoinResult {
  team: { id: string; name: string }
  name: string
  role: string
}

export async function joinTeam(options: JoinOptions): Promise<JoinResult> {
  const secret = decodeInviteCode(options.code)
  const dir = options.dataDir
  if (await readIdentity(dir)) throw new UsageError(`${dir} already holds a team; use another --data dir`)
  await ensureDir(dir)
  const signal = AbortSignal.timeout(options.timeoutMs ?? 120_000)
  const corestore = openCorestore(paths(dir).corestore)
  try {
    await corestore.ready()
    const writer = await Autobase.getLocalKey(corestore)
    const device = generateSigningKeyPair()
    const publicKey = device.publicKey.toString('hex')
    const response = await pair(
      corestore,
      secret,
      publicKey,
      writer.toString('hex'),
      options.bootstrap,
      signal,
    )
    const identity = identityFromAnswer(response, device)
    await writeIdentity(dir, identity)
    if (response.peer && /^[0-9a-f]{64}$/.test(response.peer)) await writePeers(dir, [response.peer])
    await becomeWriter(corestore, identity, dir, options.bootstrap, signal)
    return {
      team: { id: identity.team.id, name: identity.team.name },
      name: identity.name,
      role: identity.role,
    }
  } finally {
    await corestore.close()
  }
}

async function pair(
  corestore: Corestore,
  secret: Buffer,
  publicKey: string,
  writer: string,
  bootstrap: Bootstrap | undefined,
  signal: AbortSignal,
): Promise<PairResponse> {
  const swarm = new Hyperswarm({ dht: createDht(bootstrap) })
  const discovery = swarm.join(inviteTopic(secret), { server: false, client: true })
  // look again now and then: the inviter may announce after we first looked
  const timer = setInterval(() => discovery.refresh().catch(() => {}), 2000)
  try {
    return await new Promise<PairResponse>((resolve, reject) => {
      signal.addEventListener(
        'abort',
        () => reject(new Error('no answer from the inviting node (is it running and reachable?)')),
        { once: true },
      )
      swarm.on('connection', (conn: SwarmConnection) => {
        conn.on('error', () => {})
        const stream = corestore.replicate(conn) as { noiseStream: { userData: Protomux } }
        // A connection can look open here while the other side never got it (seen on loaded
        // hosts): without an answer soon, drop it and let the next lookup dial again, instead
        // of waiting out the transport's own timeout.
        const stale = setTimeout(() => conn.destroy(), PAIR_ANSWER_MS)
        conn.once('close', () => clearTimeout(stale))
        askToPair<PairResponse>(stream.noiseStream.userData, secret, { publicKey, writer }, (result) => {
          clearTimeout(stale)
          if ('error' in result) reject(result.error)
          else resolve(result.response)
        })
      })
    })
  } finally {
    clearInterval(timer)
    await swarm.destroy()
  }
}

async function becomeWriter(
  corestore: Corestore,
  identity: Identity,
  dir: string,
  bootstrap: Bootstrap | undefined,
  signal: AbortSignal,
): Promise<void> {
  const { log, keys } = openTeamLog(corestore, identity, dir)
  const book = await PeerBook.open(dir)
  const swarm = new TeamSwarm({
    teamKey: keys.teamKey,
    bootstrap,
    seed: Buffer.from(identity.swarmSeed as string, 'hex'),
    knownPeers: book.list(),
    onPeer: (key) => book.add(key),
    device: keys.device,
    // a joiner holds nothing of the team yet and its view names no member until it replicated:
    // it replicates with any peer that proves a device; the peers judge whether it is a member
    standing: async () => 'member',
    replicate: (conn) => log.base.replicate(conn),
  })
  try {
    await log.ready()
    await swarm.join()
    await waitUntilWriter(log, keys, signal)
  } finally {
    await swarm.close()
    await book.flush()
    await log.close()
  }
}
