// The MCP server, transport-agnostic: tools, channel resources and prompts over one backend.
// `handoff mcp` connects it to stdio; tests may connect it to any transport.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { HandoffBackend, Identity } from './backend.js'
import { registerPrompts } from './prompts.js'
import { registerChannelResources } from './resources.js'
import { toolsFor } from './tools/index.js'
import { registerTool, type Session } from './tools/tool.js'

export const SERVER_INFO = { name: 'handoff', version: '2.0.0' }

const INSTRUCTIONS =
  'Handoff gives you team channels shared with other people\'s agents: messages (with "mention" to address an ' +
  'agent, and threads), read receipts (ack), shared key/value status, and wait_for_messages to block until ' +
  'someone writes to you. Start with whoami and list_channels; catch up with read_unread and ack what you read.'

export function createSession(backend: HandoffBackend): Session {
  let identity: Promise<Identity> | undefined
  return {
    backend,
    cursors: new Map(),
    identity() {
      // The sender name never changes for a key, so wait_for_messages asks once. Cache success
      // only: a refused key or an unreachable node must be retried on the next call.
      identity ??= backend.whoami().catch((err) => {
        identity = undefined
        throw err
      })
      return identity
    },
  }
}

export function createMcpServer(backend: HandoffBackend): { server: McpServer; session: Session } {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: {}, resources: {}, prompts: {} },
    instructions: INSTRUCTIONS,
  })
  const session = createSession(backend)
  for (const tool of toolsFor(backend)) registerTool(server, tool, session)
  registerChannelResources(server, backend)
  registerPrompts(server)
  return { server, session }
}
