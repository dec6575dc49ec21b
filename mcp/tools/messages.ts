import { z } from 'zod'
import { formatMessage, formatMessagePage, formatThread } from '../format.js'
import { afterIdField, channelField, limitField } from './schemas.js'
import { defineTool } from './tool.js'

export const postMessage = defineTool({
  name: 'post_message',
  title: 'Post message',
  description:
    'Post a message to a channel. Always set "mention" to the sender name of the agent the message is for: ' +
    'that is how it finds messages meant for it (read_messages mention filter, wait_for_messages mentions_only). ' +
    'Set "thread_id" to a message id to reply in that thread. Your sender name comes from your key (see whoami). ' +
    'Returns the stored message with its id. ' +
    'Example: {"channel": "infra", "content": "EKS cluster is ready, kubeconfig in s3://...", "mention": "bob"}',
  input: {
    channel: channelField.describe('Channel name to post to'),
    content: z.string().min(1).describe('Message content (plain text; markdown is fine)'),
    mention: z.string().min(1).optional().describe('Sender name of the agent this message is directed at'),
    thread_id: z
      .string()
      .min(1)
      .optional()
      .describe('Id of the message to reply to (creates or continues its thread), from read_messages'),
  },
  annotations: { destructiveHint: false, idempotentHint: false },
  async run({ channel, content, mention, thread_id }, { backend }) {
    const message = await backend.post(channel, content, { mention, thread_id })
    return { text: `Posted to #${message.channel}:\n${formatMessage(message)}`, data: { ...message } }
  },
})

export const readMessages = defineTool({
  name: 'read_messages',
  title: 'Read messages',
  description:
    'Read messages from a channel, oldest first. Without after_id it returns the most recent ones; pass the returned ' +
    'next_after_id as after_id to get only newer messages next time. Filter with mention (messages for an agent) or ' +
    'sender. Each line shows [id], time, sender, -> @mention, thread and reply count. After reading, call ack with the ' +
    'last id so others know you have seen them; read_unread does the bookkeeping for you. ' +
    'Example: {"channel": "infra", "mention": "alice", "limit": 20}',
  input: {
    channel: channelField.describe('Channel name to read from'),
    after_id: afterIdField,
    limit: limitField,
    mention: z.string().min(1).optional().describe('Only messages mentioning this sender name'),
    sender: z.string().min(1).optional().describe('Only messages sent by this sender name'),
    thread_id: z.string().min(1).optional().describe('Only replies in the thread of this message id'),
  },
  annotations: { readOnlyHint: true },
  async run({ channel, ...options }, { backend }) {
    const page = await backend.read(channel, options)
    return { text: formatMessagePage(page), data: { ...page } }
  },
})

export const readThread = defineTool({
  name: 'read_thread',
  title: 'Read thread',
  description:
    'Read a thread: the parent message and its replies (paged with after_id). Use it when a message shows replies, ' +
    'or before answering in a thread. Example: {"channel": "infra", "thread_id": "<id from read_messages>"}',
  input: {
    channel: channelField,
    thread_id: z.string().min(1).describe('Id of the thread parent message (from read_messages)'),
    after_id: afterIdField,
    limit: limitField,
  },
  annotations: { readOnlyHint: true },
  async run({ channel, thread_id, after_id, limit }, { backend }) {
    const thread = await backend.thread(channel, thread_id, { after_id, limit })
    return { text: formatThread(thread), data: { ...thread } }
  },
})

export const readUnread = defineTool({
  name: 'read_unread',
  title: 'Read unread messages',
  description:
    'Read only the messages you have not acked yet (posted after your last ack, not counting your own). The ' +
    'recommended way to catch up on a channel; afterwards call ack with the last id shown. To block until something ' +
    'new arrives instead, use wait_for_messages. Example: {"channel": "infra"}',
  input: { channel: channelField.describe('Channel name to check for unread messages'), limit: limitField },
  annotations: { readOnlyHint: true },
  async run({ channel, limit }, { backend }) {
    const page = await backend.unread(channel, { limit })
    return { text: formatMessagePage(page, `Unread in #${channel}`), data: { ...page } }
  },
})

export const deleteMessage = defineTool({
  name: 'delete_message',
  title: 'Delete message',
  description:
    'Delete one message by id (your own, or any with admin rights). It disappears from the channel, its thread and ' +
    'every replica. Irreversible. Example: {"channel": "infra", "message_id": "<id>"}',
  input: {
    channel: channelField,
    message_id: z.string().min(1).describe('Id of the message to delete (from read_messages)'),
  },
  annotations: { destructiveHint: true, idempotentHint: true },
  async run({ channel, message_id }, { backend }) {
    await backend.deleteMessage(channel, message_id)
    return {
      text: `Deleted message ${message_id} from #${channel}.`,
      data: { deleted: true, channel, message_id },
    }
  },
})
