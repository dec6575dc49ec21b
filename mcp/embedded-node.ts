// The node `handoff mcp` starts in its own process when none runs for the data dir, configured
// from the same environment as `handoff node` (HANDOFF_PORT, HANDOFF_BOOTSTRAP, relay bridge).
// It writes DIR/node.json like any node, so other agents' MCP servers share it while it lives.
import type { EmbeddedNodeStarter } from './connect.js'

function portFrom(env: NodeJS.ProcessEnv): number | undefined {
  if (!env.HANDOFF_PORT) return undefined
  const port = Number(env.HANDOFF_PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`HANDOFF_PORT is not a port: ${env.HANDOFF_PORT}`)
  return port
}

export const startEmbeddedNode: EmbeddedNodeStarter = async (dataDir) => {
  // Loaded only here: a relay-backed server never pays for corestore and hyperswarm.
  const { startNode, parseBootstrap } = await import('../node/index.js')
  const env = process.env
  const relayUrl = env.HANDOFF_RELAY_URL
  const relayKey = env.HANDOFF_RELAY_KEY
  const options = {
    dataDir,
    bootstrap: parseBootstrap(env.HANDOFF_BOOTSTRAP),
    ...(relayUrl && relayKey ? { relay: { url: relayUrl, key: relayKey } } : {}),
  }
  const port = portFrom(env)
  let node: Awaited<ReturnType<typeof startNode>>
  try {
    node = await startNode({ ...options, port: port ?? 7420 })
  } catch (err) {
    // The default port may belong to another data dir's node: any free port will do, since
    // node.json tells the other agents of this data dir where this one listens.
    if (port !== undefined || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    node = await startNode({ ...options, port: 0 })
  }
  process.stderr.write(`handoff mcp: started an embedded node for ${dataDir} at ${node.url}\n`)
  return { apiUrl: node.url, apiKey: node.apiKey, stop: () => node.close() }
}
