// `handoff mcp`: the MCP server on stdio. stdout carries the protocol, so everything a person
// should read goes to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { Command } from 'commander'
import type { HandoffBackend } from './backend.js'
import { resolveTarget } from './config.js'
import { connect } from './connect.js'
import { startEmbeddedNode } from './embedded-node.js'
import { describeFailure, failureText } from './errors.js'
import { createMcpServer } from './server.js'

function log(line: string): void {
  process.stderr.write(`handoff mcp: ${line}\n`)
}

/** Tell the person at once if the key is refused or the API is unreachable; tools say it again. */
async function checkAccess(backend: HandoffBackend, stopped: () => boolean): Promise<void> {
  try {
    await backend.listChannels()
    log(`connected to the ${backend.kind} at ${backend.apiUrl}`)
  } catch (err) {
    // A session that ended before the answer came aborts the request: nothing to report then.
    if (!stopped()) log(failureText(describeFailure(err)).replace(/\n/g, ' '))
  }
}

export async function runMcpServer(): Promise<void> {
  const backend = await connect(resolveTarget(), startEmbeddedNode)
  const { server } = createMcpServer(backend)
  const transport = new StdioServerTransport()
  let closing: Promise<void> | undefined
  const shutdown = () => {
    closing ??= (async () => {
      await server.close().catch(() => {})
      await backend.close()
    })()
    return closing
  }
  const closed = new Promise<void>((resolve) => {
    // The client closing stdin ends the session: that is how MCP clients stop a stdio server.
    process.stdin.once('end', resolve)
    process.stdin.once('close', resolve)
    transport.onclose = () => resolve()
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.connect(transport)
  void checkAccess(backend, () => closing !== undefined)
  await closed
  await shutdown()
}

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description(
      'Run the MCP server on stdio (for Claude Code and other MCP clients). Uses RELAY_API_URL + RELAY_API_KEY ' +
        'when set, else the local node of HANDOFF_DATA (default ~/.handoff)',
    )
    .action(async () => {
      await runMcpServer()
      // Open sockets of a still-connecting stream must not keep a finished session alive.
      process.exit(0)
    })
}
