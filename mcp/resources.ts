// Channels as MCP resources: `handoff://channel/{name}` is a channel's recent history, so a
// client can attach it to a conversation without a tool call.
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { HandoffBackend } from './backend.js'
import { formatMessagePage } from './format.js'

export const CHANNEL_URI_TEMPLATE = 'handoff://channel/{name}'
/** How many of the latest messages a channel resource holds. */
export const RESOURCE_HISTORY = 50

export function channelUri(name: string): string {
  return `handoff://channel/${encodeURIComponent(name)}`
}

export function registerChannelResources(server: McpServer, backend: HandoffBackend): void {
  const template = new ResourceTemplate(CHANNEL_URI_TEMPLATE, {
    list: async () => {
      const channels = await backend.listChannels()
      return {
        resources: channels.map((c) => ({
          uri: channelUri(c.name),
          name: `#${c.name}`,
          description: c.description ?? `Recent messages of #${c.name}`,
          mimeType: 'text/plain',
        })),
      }
    },
    complete: {
      name: async (prefix) =>
        (await backend.listChannels()).map((c) => c.name).filter((n) => n.startsWith(prefix)),
    },
  })
  server.registerResource(
    'channel',
    template,
    {
      title: 'Channel history',
      description: `The latest ${RESOURCE_HISTORY} messages of a Handoff channel, oldest first, with ids for replies and acks`,
      mimeType: 'text/plain',
    },
    async (uri, variables) => {
      const raw = variables.name
      const name = decodeURIComponent(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''))
      const page = await backend.read(name, { limit: RESOURCE_HISTORY })
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: formatMessagePage(page) }] }
    },
  )
}
