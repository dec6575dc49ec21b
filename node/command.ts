// `handoff node | invite | join | status`: the local node's commands. Every one prints a line a
// person can read, or JSON with --json; usage mistakes throw UsageError (exit 2), runtime
// failures Error (exit 1).
import type { Command } from 'commander'
import { UsageError } from '../sdk/cli-errors.js'
import { readRelayAccess, relayConfigFile } from './bridge/access.js'
import { defaultDataDir, liveNodeInfo, paths, readApiKey, readIdentity } from './data-dir.js'
import { type NodeStatus, parseBootstrap, startNode } from './index.js'
import { joinTeam } from './join.js'
import { joinThroughRelay } from './join-relay.js'

const SHUTDOWN_GRACE_MS = 10_000
const ROLES = ['member', 'admin', 'reader']

function port(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 7420
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
  if (!(n >= 0 && n <= 65535))
    throw new UsageError(`--port (HANDOFF_PORT) must be an integer from 0 to 65535, not "${raw}"`)
  return n
}

function bootstrapOf(raw: string | undefined) {
  try {
    return parseBootstrap(raw)
  } catch (err) {
    throw new UsageError(`--bootstrap (HANDOFF_BOOTSTRAP): ${(err as Error).message}`)
  }
}

const out = (text: string) => process.stdout.write(`${text}\n`)

/** URL and key of the node running on DIR; a runtime error when none runs. */
async function runningNode(dir: string): Promise<{ url: string; key: string }> {
  const info = await liveNodeInfo(dir)
  const key = await readApiKey(dir)
  if (!info || !key)
    throw new Error(`no node is running on ${dir} (start one with: handoff node --data ${dir})`)
  return { url: info.url, key }
}

async function callNode<T>(dir: string, method: string, path: string, body?: unknown): Promise<T> {
  const { url, key } = await runningNode(dir)
  let res: Response
  try {
    res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    })
  } catch {
    throw new Error(`the node of ${dir} does not answer at ${url} (is it still running?)`)
  }
  const json = (await res.json().catch(() => null)) as (T & { error?: string }) | null
  if (!res.ok) throw new Error(json?.error ?? `the node answered ${res.status}`)
  return json as T
}

interface NodeFlags {
  data?: string
  port?: string
  host?: string
  bootstrap?: string
  relay?: string
  relayKey?: string
}

async function runNode(opts: NodeFlags): Promise<void> {
  const env = process.env
  const dataDir = opts.data ?? defaultDataDir()
  // a device that joined through a relay kept its URL and key (DIR/relay.json): flags override
  const saved = await readRelayAccess(dataDir)
  const relayUrl = opts.relay ?? env.HANDOFF_RELAY_URL ?? saved?.url
  const relayKey =
    opts.relayKey ?? env.HANDOFF_RELAY_KEY ?? (saved?.url === relayUrl ? saved?.key : undefined)
  if (relayUrl && !relayKey) throw new UsageError('--relay needs --relay-key (HANDOFF_RELAY_KEY)')
  const node = await startNode({
    dataDir,
    port: port(opts.port ?? env.HANDOFF_PORT),
    host: opts.host ?? '127.0.0.1',
    bootstrap: bootstrapOf(opts.bootstrap ?? env.HANDOFF_BOOTSTRAP),
    relay: relayUrl && relayKey ? { url: relayUrl, key: relayKey } : undefined,
  })
  if (node.created)
    out(`Created team "${node.identity.team.name}" with you (${node.identity.name}) as its admin.`)
  out(`Handoff node for team "${node.identity.team.name}" (${node.identity.name}) at ${node.url}`)
  out(`Local API key: ${paths(dataDir).apiKey} (mode 0600)`)
  if (relayUrl) out(`Relay bridge: syncing through ${relayUrl} (cursors in ${dataDir}/relay-sync.json)`)
  out('Press Ctrl-C to stop.')
  followCatchUp(node.log.base)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) process.exit(1)
    stopping = true
    out(`${signal}: stopping the node`)
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref()
    node.close().then(
      () => process.exit(process.exitCode ?? 0),
      () => process.exit(1),
    )
  }
  // autobase closes the log after a fault; a node without its log serves nothing, so it exits 1
  // and a service manager restarts it (a restart reopens the log from disk)
  const onFault = () => {
    const failure = node.log.failed
    if (!failure || stopping) return
    process.stderr.write(`handoff node: the team log stopped: ${failure.message}\n`)
    stop('fault')
    process.exitCode = 1
  }
  node.log.on('warning', onFault)
  // a fault between the log's ready() and this line reached no listener that exits: act on it now
  onFault()
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
  await new Promise(() => {}) // until a signal
}

function printStatus(s: NodeStatus): void {
  out(`Team "${s.team.name}" (${s.team.id.slice(0, 12)}...), you are ${s.member.name} (${s.member.role})`)
  out(`Local API: ${s.url}   writer: ${s.writable ? 'yes' : 'not yet'}   peers connected: ${s.peers}`)
  out(
    // a log block holds one operation, or several written together (node/log/blocks.ts)
    `Log: ${s.log.length} blocks (${s.log.signed_length} signed by the indexers, ${s.log.unsigned} may still reorder); ` +
      `${s.log.local_length} written here; view ${s.log.view_length} blocks`,
  )
  // the bridge's status (node/bridge) also carries cursors and lag; --json shows all of it
  const lag = (s.relay as { lag?: number }).lag
  const behind = lag ? `, ${lag} log blocks not pushed yet` : ''
  out(`Relay: ${s.relay.configured ? `${s.relay.url} (${s.relay.state}${behind})` : 'off'}`)
}

/**
 * A progress line while a long log comes in (a new member, or a node back after days away):
 * printed every 2 s while more than CATCHING_UP blocks arrived since the last tick (a block holds
 * one operation, or up to 64 written together).
 */
const CATCHING_UP = 50

function followCatchUp(base: { length: number; signedLength: number }): void {
  let last = base.length
  let catching = false
  const timer = setInterval(() => {
    const now = base.length
    if (now - last >= CATCHING_UP) {
      catching = true
      out(`catching up: ${now} blocks in the team log (${now - last} in the last 2 s)`)
    } else if (catching) {
      catching = false
      out(`caught up: ${now} blocks in the team log`)
    }
    last = now
  }, 2000)
  timer.unref()
}

export function registerNodeCommands(program: Command): void {
  program
    .command('node')
    .description('Run the local Handoff node (creates an identity and team on first start)')
    .option('--data <dir>', 'data directory (HANDOFF_DATA, default ~/.handoff)')
    .option('--port <n>', 'local API port (HANDOFF_PORT, default 7420)')
    .option('--host <host>', 'local API address (default 127.0.0.1)')
    .option(
      '--bootstrap <list>',
      'host:port,... of a private DHT (HANDOFF_BOOTSTRAP; default the public DHT)',
    )
    .option('--relay <url>', 'relay to sync through (HANDOFF_RELAY_URL)')
    .option('--relay-key <key>', 'API key on the relay (HANDOFF_RELAY_KEY)')
    .action(runNode)

  program
    .command('invite')
    .description('Print a one-time code that lets another device join this team')
    .argument('<name>', 'the new member name')
    .option('--role <role>', 'member, admin or reader', 'member')
    .option('--data <dir>', 'data directory of the running node (HANDOFF_DATA)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { role: string; data?: string; json?: boolean }) => {
      if (!ROLES.includes(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
      const dir = opts.data ?? defaultDataDir()
      const invite = await callNode<{ code: string; expires_at: string }>(dir, 'POST', '/api/node/invites', {
        name,
        role: opts.role,
      })
      if (opts.json) {
        out(JSON.stringify(invite))
        return
      }
      out(`Invite for ${name} (${opts.role}), valid once until ${invite.expires_at}:`)
      out(`  handoff join ${invite.code}`)
      // a bridged node also answers through its relay's pairing box (docs/node.md)
      const status = await callNode<NodeStatus>(dir, 'GET', '/api/node/status').catch(() => null)
      if (status?.relay.configured && status.relay.url)
        out(
          `or, where this node cannot be reached directly:\n  handoff join ${invite.code} --relay ${status.relay.url}`,
        )
      out('Keep this node running until they have joined.')
    })

  program
    .command('join')
    .description('Join the team behind an invite code; then run `handoff node`')
    .argument('<code>', 'the invite code')
    .option('--data <dir>', 'data directory for this device (HANDOFF_DATA)')
    .option('--bootstrap <list>', 'host:port,... of a private DHT (HANDOFF_BOOTSTRAP)')
    .option(
      '--relay <url>',
      'join through this relay, the one the inviting node syncs with (HANDOFF_RELAY_URL)',
    )
    .option('--relay-key <key>', 'your own relay key, if the inviting node cannot make one for you')
    .option('--json', 'print JSON')
    .action(
      async (
        code: string,
        opts: { data?: string; bootstrap?: string; relay?: string; relayKey?: string; json?: boolean },
      ) => {
        const dir = opts.data ?? defaultDataDir()
        const relay = opts.relay ?? process.env.HANDOFF_RELAY_URL
        if (relay) {
          if (!opts.json) out(`Asking the inviting node through ${relay}...`)
          const joined = await joinThroughRelay({ dataDir: dir, code, relay, relayKey: opts.relayKey })
          if (opts.json) {
            // the key is a secret: it stays in the data dir
            out(JSON.stringify({ ...joined, relay: { url: relay, key_saved: joined.relay.key !== null } }))
            return
          }
          out(`Joined team "${joined.team.name}" as ${joined.name} (${joined.role}) through ${relay}.`)
          out(
            joined.relay.key
              ? `Relay access saved in ${relayConfigFile(dir)}. Start it with: handoff node --data ${dir}`
              : `The inviting node could not make you a relay key: start with handoff node --data ${dir} --relay ${relay} --relay-key KEY`,
          )
          return
        }
        if (!opts.json) out('Looking for the inviting node...')
        const joined = await joinTeam({
          dataDir: dir,
          code,
          bootstrap: bootstrapOf(opts.bootstrap ?? process.env.HANDOFF_BOOTSTRAP),
        })
        if (opts.json) {
          out(JSON.stringify(joined))
          return
        }
        out(
          `Joined team "${joined.team.name}" as ${joined.name} (${joined.role}). Start it with: handoff node --data ${dir}`,
        )
      },
    )

  program
    .command('status')
    .description("Show the running node's team, peers, relay state and log lengths")
    .option('--data <dir>', 'data directory (HANDOFF_DATA)')
    .option('--json', 'print JSON')
    .action(async (opts: { data?: string; json?: boolean }) => {
      const dir = opts.data ?? defaultDataDir()
      if (!(await readIdentity(dir)))
        throw new Error(`${dir} holds no team yet (run: handoff node --data ${dir})`)
      const status = await callNode<NodeStatus>(dir, 'GET', '/api/node/status')
      if (opts.json) {
        out(JSON.stringify(status))
        return
      }
      printStatus(status)
    })
}
