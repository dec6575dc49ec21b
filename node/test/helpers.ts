// Test helpers: nodes in temp data dirs on a loopback testnet, joined into one team through the
// real invite/join path, and a small JSON client for their local APIs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestnet, type Testnet } from '../../test/support/testnet.js'
import { type NodeOptions, type RunningNode, startNode } from '../index.js'
import { joinTeam } from '../join.js'

export class Api {
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
  }

  async ok<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body)
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
}

export interface TestNode {
  node: RunningNode
  api: Api
  dir: string
  restart(options?: Partial<NodeOptions>): Promise<void>
}

export async function tempDir(prefix = 'handoff-node-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export async function openNode(
  dir: string,
  testnet: Testnet | null,
  options: Partial<NodeOptions> = {},
): Promise<TestNode> {
  const start = () =>
    startNode({ dataDir: dir, port: 0, bootstrap: testnet?.bootstrap, swarm: testnet !== null, ...options })
  const t: TestNode = {
    node: await start(),
    api: null as unknown as Api,
    dir,
    async restart(more = {}) {
      await t.node.close()
      t.node = await startNode({
        dataDir: dir,
        port: 0,
        bootstrap: testnet?.bootstrap,
        swarm: testnet !== null,
        ...options,
        ...more,
      })
      t.api = new Api(t.node.url, t.node.apiKey)
    },
  }
  t.api = new Api(t.node.url, t.node.apiKey)
  return t
}

/** A team of `size` nodes: the first creates it, the others join with invite codes. */
export async function startTeam(size: number, testnet: Testnet, names = ['alice', 'bob', 'carol', 'dave']) {
  const first = await openNode(await tempDir(), testnet, { name: names[0] })
  const nodes = [first]
  for (let i = 1; i < size; i++) {
    const invite = await first.api.ok<{ code: string }>('POST', '/api/node/invites', { name: names[i] })
    const dir = await tempDir()
    await joinTeam({ dataDir: dir, code: invite.code, bootstrap: testnet.bootstrap, timeoutMs: 60_000 })
    nodes.push(await openNode(dir, testnet))
  }
  return nodes
}

export async function closeAll(nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.node.close()))
  await Promise.all(nodes.map((n) => rm(n.dir, { recursive: true, force: true })))
}

/** Retry `fn` until it stops throwing (replication is asynchronous). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      return await fn()
    } catch (err) {
      last = err
      await new Promise((r) => setTimeout(r, 150))
    }
  }
  throw last
}

export { startTestnet, type Testnet }

/** What a node's swarm looks like now (connections, known peers and their dial state), for failure messages. */
export function describeSwarm(t: TestNode): string {
  const sw = t.node.swarm?.swarm as unknown as
    | {
        connections: Set<unknown>
        connecting: number
        peers: Map<string, { attempts: number; banned: boolean; explicit: boolean; queued: boolean }>
      }
    | undefined
  if (!sw) return 'no swarm'
  const peers = [...sw.peers].map(
    ([k, p]) =>
      `${k.slice(0, 8)}(attempts ${p.attempts}${p.banned ? ', banned' : ''}${p.explicit ? ', explicit' : ''}${p.queued ? ', queued' : ''})`,
  )
  const admitted = t.node.swarm?.peers ?? 0
  return `${sw.connections.size} connected (${admitted} proven members), ${sw.connecting} dialling, peers [${peers.join(' ')}]`
}

/** Fail with `label` when `work` does not finish within `ms` (instead of the test's bare timeout). */
export async function within<T>(label: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: did not finish within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

/** `eventually`, but a failure names what did not converge and adds `context()` (e.g. swarm state). */
export async function converge<T>(
  label: string,
  fn: () => Promise<T>,
  timeoutMs: number,
  context: () => string = () => '',
): Promise<T> {
  try {
    return await eventually(fn, timeoutMs)
  } catch (err) {
    // the assertion's first lines and its diff's changed lines: enough to see what differs
    const text =
      err instanceof Error ? `${err.message}\n${(err as { diff?: string }).diff ?? ''}` : String(err)
    const lines = text.split('\n')
    const why = [
      lines[0],
      ...lines
        .slice(1)
        .filter((l) => /^\s*[-+]/.test(l))
        .slice(0, 12),
    ].join('\n')
    const extra = context()
    throw new Error(`${label}: not converged after ${timeoutMs} ms (${why})${extra ? `\n${extra}` : ''}`)
  }
}
