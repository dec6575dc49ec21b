// startNode: the local node in-process (used by `handoff node`, the MCP server and tests). It
// opens (or on first start creates) the identity and team in the data dir, the team log, the
// local API on 127.0.0.1 and the team swarm.
import { randomBytes } from 'node:crypto'
import { userInfo } from 'node:os'
import type Corestore from 'corestore'
import type { FastifyInstance } from 'fastify'
import { buildApiServer } from '../sdk/server/index.js'
import { Arrivals } from './arrivals.js'
import { RelayBridge } from './bridge/index.js'
import {
  ensureDir,
  type Identity,
  liveNodeInfo,
  paths,
  readApiKey,
  readIdentity,
  removeNodeInfo,
  writeApiKey,
  writeIdentity,
  writeNodeInfo,
} from './data-dir.js'
import { createIdentity, genesisEnvelope } from './identity.js'
import { InviteHost } from './invites.js'
import { NodeKeys } from './keyring.js'
import { LocalState, localSealKey } from './local-state.js'
import { controlKeyOf } from './log/ops.js'
import { openCorestore } from './log/storage.js'
import { TeamLog } from './log/team-log.js'
import { PeerBook } from './peers.js'
import { type NodeStatus, nodeRoutes } from './routes.js'
import { NodeStore } from './store.js'
import { type Bootstrap, TeamSwarm } from './swarm.js'
import { standingIn } from './swarm-gate.js'
import { META } from './view/keys.js'
import type { MetaRecord } from './view/records.js'

export interface NodeOptions {
  /** the data dir (HANDOFF_DATA, default ~/.handoff) */
  dataDir: string
  /** default 7420; 0 picks a free port */
  port?: number
  /** default 127.0.0.1 */
  host?: string
  /** a private DHT; default the public one */
  bootstrap?: Bootstrap
  /** false: no swarm at all (a node that only serves its local API) */
  swarm?: boolean
  /** member and team name on first start (default: the OS user name) */
  name?: string
  /** relay bridge (node/bridge): push and pull the team's envelopes through a relay */
  relay?: { url: string; key: string }
  /** Fastify logger option */
  logger?: boolean
}

export interface RunningNode {
  url: string
  apiKey: string
  dataDir: string
  identity: Identity
  teamId: string
  store: NodeStore
  log: TeamLog
  swarm: TeamSwarm | null
  app: FastifyInstance
  corestore: Corestore
  /** the relay bridge, when `relay` was given */
  bridge: RelayBridge | null
  /** true on the start that created the identity and team */
  created: boolean
  status(): NodeStatus
  close(): Promise<void>
}

export type { NodeStatus } from './routes.js'
export { parseBootstrap } from './swarm.js'

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const dir = options.dataDir
  await ensureDir(dir)
  const running = await liveNodeInfo(dir)
  if (running && running.pid !== process.pid) {
    throw new Error(`a node is already running on ${dir} (pid ${running.pid}, ${running.url})`)
  }
  // storage and cache sizes bounded (node/log/storage.ts)
  const corestore = openCorestore(paths(dir).corestore)
  const cleanup: Array<() => Promise<void>> = [() => corestore.close()]
  const closeAll = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {})
    cleanup.length = 0
  }
  try {
    await corestore.ready()
    let identity = await readIdentity(dir)
    const created = identity === null
    const name = options.name ?? (userInfo().username || 'me')
    const draft = identity ?? createIdentity(name)
    const log = new TeamLog(corestore, identity ? Buffer.from(identity.team.base, 'hex') : null, {
      teamId: Buffer.from(draft.team.id, 'hex'),
      controlKey: controlKeyOf(Buffer.from(draft.team.key, 'hex')),
    })
    cleanup.push(() => log.close())
    await log.ready()
    if (!identity) {
      identity = { ...draft, team: { ...draft.team, base: log.key.toString('hex') } }
      await writeIdentity(dir, identity)
    }
    const keys = new NodeKeys(identity, dir)
    const meta = (await log.view.get(META))?.value as MetaRecord | undefined
    if (!meta?.genesis && log.writable && identity.team.base === log.writerKey.toString('hex')) {
      // the team's creator (also after a crash between writing its identity and this append)
      await log.append(genesisEnvelope(keys, log.writerKey, identity.name).bytes)
    }

    const local = new LocalState(corestore, identity.team.id, localSealKey(keys))
    cleanup.push(() => local.close())
    await local.ready()
    let apiKey = await readApiKey(dir)
    if (!apiKey || !local.authenticate(apiKey)) {
      apiKey = (await local.createKey(identity.name, undefined)).api_key
      await writeApiKey(dir, apiKey)
    }

    const store = new NodeStore(log, local, keys, identity.team.id)
    // the channel feed pages by this node's arrival order, which survives reorders (arrivals.ts)
    const arrivals = new Arrivals(corestore, identity.team.id, () => log.view, log.notedNames)
    cleanup.push(() => arrivals.close())
    await arrivals.ready()
    store.reader.arrivals = arrivals
    store.on('warning', () => {})
    log.on('warning', () => {})
    const refreshKeys = () => void keys.refresh(log.view).catch(() => {})
    log.on('update', refreshKeys)
    await keys.refresh(log.view)
    const bridge = options.relay
      ? new RelayBridge({ ...options.relay, dataDir: dir, teamId: identity.team.id, log, corestore, store })
      : null
    if (bridge) cleanup.push(() => bridge.close())
    await bridge?.start()

    let swarm: TeamSwarm | null = null
    if (options.swarm !== false) {
      if (!identity.swarmSeed) {
        identity = { ...identity, swarmSeed: randomBytes(32).toString('hex') }
        await writeIdentity(dir, identity)
      }
      const book = await PeerBook.open(dir)
      const seed = Buffer.from(identity.swarmSeed as string, 'hex')
      swarm = new TeamSwarm({
        teamKey: keys.teamKey,
        bootstrap: options.bootstrap,
        seed,
        knownPeers: book.list(),
        onPeer: (key) => book.add(key),
        onRefused: (key) => book.remove(key),
        device: keys.device,
        standing: (device) => standingIn(log, device),
        replicate: (conn) => log.base.replicate(conn),
      })
      const gated = swarm
      log.on('update', () => void gated.recheck())
      cleanup.push(async () => {
        await swarm?.close()
        await book.flush()
      })
    }
    const invites = new InviteHost(local, store, keys, identity, swarm)
    await invites.start()

    let url = ''
    const me = identity
    const status = (): NodeStatus => ({
      team: { id: me.team.id, name: me.team.name },
      member: { name: me.name, role: me.role, device: me.device.publicKey },
      url,
      writable: log.writable,
      peers: swarm?.peers ?? 0,
      log: {
        length: log.base.length,
        signed_length: log.base.signedLength,
        local_length: log.base.local.length,
        view_length: log.view.core.length,
        unsigned: Math.max(0, log.base.length - log.base.signedLength),
      },
      relay: bridge?.status() ?? { configured: false, url: null, state: 'off' },
    })
    const app = await buildApiServer(store, {
      logger: options.logger ?? false,
      rateLimit: false,
      extraRoutes: nodeRoutes(store, invites, status),
    })
    cleanup.push(() => app.close())
    const host = options.host ?? '127.0.0.1'
    const address = await app.listen({ port: options.port ?? 7420, host })
    url = address.replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1')
    // joining the DHT can take seconds; the local API works meanwhile
    swarm?.join().catch((err: Error) => store.emit('warning', err))

    await writeNodeInfo(dir, { url, pid: process.pid })
    cleanup.push(() => removeNodeInfo(dir))

    let closing: Promise<void> | null = null
    return {
      url,
      apiKey,
      dataDir: dir,
      identity,
      teamId: identity.team.id,
      store,
      log,
      swarm,
      app,
      corestore,
      bridge,
      created,
      status,
      close() {
        closing ??= closeAll()
        return closing
      },
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}
