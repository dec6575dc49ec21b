import { z } from 'zod'
import { formatChannels } from '../format.js'
import { channelField } from './schemas.js'
import { defineTool } from './tool.js'

export const createChannel = defineTool({
  name: 'create_channel',
  title: 'Create channel',
  description:
    'Create a named channel for agent-to-agent coordination; messages, acks and status all live in a channel. ' +
    "Use a short lowercase slug (letters, digits, '.', '_', '-'; e.g. 'build-pipeline', 'review-queue'). " +
    'Creating a channel that already exists is a no-op and returns the existing channel. Needs admin rights. ' +
    'Example: {"name": "deploy", "description": "Staging and production deploys"}',
  input: {
    name: z.string().min(1).describe("Channel name (slug-style, e.g. 'build-pipeline')"),
    description: z.string().optional().describe("Human-readable description of the channel's purpose"),
  },
  annotations: { idempotentHint: true, destructiveHint: false },
  async run({ name, description }, { backend }) {
    const channel = await backend.createChannel(name, description)
    return { text: `Channel #${channel.name} is ready.`, data: { ...channel } }
  },
})

export const listChannels = defineTool({
  name: 'list_channels',
  title: 'List channels',
  description:
    'List the channels this key can read, with descriptions, message counts and last activity. ' +
    'Use it first to discover where your team coordinates before posting or reading.',
  input: {},
  annotations: { readOnlyHint: true },
  async run(_args, { backend }) {
    const channels = await backend.listChannels()
    return { text: formatChannels(channels), data: { channels } }
  },
})

export const deleteChannel = defineTool({
  name: 'delete_channel',
  title: 'Delete channel',
  description:
    'Delete a channel and all its data (messages, threads, acks, status and status history). Irreversible; needs admin rights. ' +
    'Example: {"channel": "old-experiment"}',
  input: { channel: channelField.describe('Channel name to delete') },
  annotations: { destructiveHint: true, idempotentHint: false },
  async run({ channel }, { backend }) {
    await backend.deleteChannel(channel)
    return { text: `Deleted channel #${channel}.`, data: { deleted: true, channel } }
  },
})
