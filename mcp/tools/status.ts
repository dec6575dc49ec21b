import { z } from 'zod'
import { describeFailure } from '../errors.js'
import { formatAcks, formatStatusChanges, formatStatuses } from '../format.js'
import { afterIdField, channelField, limitField } from './schemas.js'
import { defineTool } from './tool.js'

export const ack = defineTool({
  name: 'ack',
  title: 'Acknowledge messages',
  description:
    'Mark messages as read up to and including last_read_id in a channel. Acks are per sender and never move ' +
    'backwards; other agents see them with get_acks, and read_unread starts after them. ' +
    'Example: {"channel": "infra", "last_read_id": "<last id you read>"}',
  input: {
    channel: channelField.describe('Channel name to acknowledge'),
    last_read_id: z.string().min(1).describe('Id of the last message you have read (from read_messages)'),
  },
  annotations: { idempotentHint: true, destructiveHint: false },
  async run({ channel, last_read_id }, { backend }) {
    const result = await backend.ack(channel, last_read_id)
    return {
      text: `Acked #${channel} up to ${result.last_read_id} as ${result.sender}.`,
      data: { ...result },
    }
  },
})

export const getAcks = defineTool({
  name: 'get_acks',
  title: 'Get acks',
  description:
    'See how far each agent has read in a channel (one ack per sender: the last message id it acknowledged). ' +
    'Use it to check that another agent has seen your handoff before you proceed. Example: {"channel": "infra"}',
  input: { channel: channelField.describe('Channel name to retrieve acks for') },
  annotations: { readOnlyHint: true },
  async run({ channel }, { backend }) {
    const acks = await backend.getAcks(channel)
    return { text: formatAcks(channel, acks), data: { channel, acks } }
  },
})

export const setStatus = defineTool({
  name: 'set_status',
  title: 'Set status',
  description:
    'Set a key/value status entry on a channel: shared state between agents such as "stage" = "building" or ' +
    '"lock" = "alice". Every write is kept in the change log (get_status_changes). Values are strings; serialize ' +
    'structured data as JSON. Example: {"channel": "deploy", "key": "staging", "value": "green"}',
  input: {
    channel: channelField.describe('Channel name to set status on'),
    key: z.string().min(1).describe("Status key (e.g. 'stage', 'lock', 'progress')"),
    value: z.string().describe('Status value (string; use JSON for structured data)'),
  },
  annotations: { idempotentHint: true, destructiveHint: false },
  async run({ channel, key, value }, { backend }) {
    const status = await backend.setStatus(channel, key, value)
    return { text: `Set ${formatStatuses([status])}`, data: { ...status } }
  },
})

export const getStatus = defineTool({
  name: 'get_status',
  title: 'Get status',
  description:
    'Get status entries. With "channel": that channel\'s entries (optionally just "key"). Without "channel": ' +
    'entries across every channel you can read (optionally just "key", e.g. every channel\'s "stage"). ' +
    'Returns channel, key, value, who set it and when. Example: {"key": "stage"}',
  input: {
    channel: channelField.optional().describe('Channel name; omit to query across all channels'),
    key: z.string().min(1).optional().describe('Status key to filter by; omit to return all keys'),
  },
  annotations: { readOnlyHint: true },
  async run({ channel, key }, { backend }) {
    const statuses = await backend.getStatus({ channel, key })
    return { text: formatStatuses(statuses), data: { statuses } }
  },
})

export const getStatusChanges = defineTool({
  name: 'get_status_changes',
  title: 'Get status changes',
  description:
    'Read the status change log of a channel, oldest first: who set or deleted which key, and when. Pass the ' +
    'returned next_after_id as after_id to get only newer changes. Example: {"channel": "deploy", "limit": 20}',
  input: {
    channel: channelField.describe('Channel name to read status changes from'),
    after_id: afterIdField,
    limit: limitField,
  },
  annotations: { readOnlyHint: true },
  async run({ channel, after_id, limit }, { backend }) {
    const page = await backend.getStatusChanges(channel, { after_id, limit })
    return { text: formatStatusChanges(channel, page), data: { channel, ...page } }
  },
})

export const deleteStatus = defineTool({
  name: 'delete_status',
  title: 'Delete status',
  description:
    'Delete a status key from a channel (recorded in the change log). Deleting a key that does not exist is not an ' +
    'error: the result says deleted: false. Example: {"channel": "deploy", "key": "lock"}',
  input: { channel: channelField, key: z.string().min(1).describe('Status key to delete') },
  annotations: { destructiveHint: true, idempotentHint: true },
  async run({ channel, key }, { backend }) {
    try {
      await backend.deleteStatus(channel, key)
    } catch (err) {
      // As the seed's tool: an already-absent key is a no-op, so agents can clean up without checking.
      if (describeFailure(err).code !== 'STATUS_NOT_FOUND') throw err
      return {
        text: `No status key "${key}" in #${channel}; nothing deleted.`,
        data: { deleted: false, channel, key },
      }
    }
    return { text: `Deleted status key "${key}" from #${channel}.`, data: { deleted: true, channel, key } }
  },
})
