import { z } from 'zod'
import { formatMessage } from '../format.js'
import { waitForMessages } from '../wait/wait.js'
import { channelField } from './schemas.js'
import { defineTool } from './tool.js'

export const DEFAULT_WAIT_SECONDS = 50
export const MAX_WAIT_SECONDS = 600
/** Progress notifications keep clients that reset their timeout on progress from giving up. */
const PROGRESS_EVERY_MS = 5_000

export const waitForMessagesTool = defineTool({
  name: 'wait_for_messages',
  title: 'Wait for messages',
  description:
    'Block until someone else posts a new message in any of the given channels (or, with mentions_only, one that ' +
    'mentions you), then return it; or return timed_out after timeout_seconds. It listens on the live stream, so ' +
    'use it instead of polling read_messages when you are waiting for a reply or a handoff. Your own messages never ' +
    'wake you. Consecutive calls pick up where the previous one stopped, so nothing posted in between is missed. ' +
    `Default timeout ${DEFAULT_WAIT_SECONDS} s, at most ${MAX_WAIT_SECONDS}. ` +
    'Example: {"channels": ["infra", "deploy"], "mentions_only": true, "timeout_seconds": 120}',
  input: {
    channels: z.array(channelField).min(1).max(20).describe('Channels to listen on'),
    mentions_only: z
      .boolean()
      .optional()
      .describe('Only wake for messages whose mention is your sender name'),
    timeout_seconds: z
      .number()
      .min(0)
      .max(MAX_WAIT_SECONDS)
      .optional()
      .describe(`How long to wait before returning timed_out (default ${DEFAULT_WAIT_SECONDS})`),
  },
  annotations: { readOnlyHint: true },
  async run({ channels, mentions_only, timeout_seconds }, session, call) {
    const me = await session.identity()
    const timeoutMs = (timeout_seconds ?? DEFAULT_WAIT_SECONDS) * 1000
    const ticker = setInterval(() => {
      call.progress(`waiting on ${channels.join(', ')}`).catch(() => clearInterval(ticker))
    }, PROGRESS_EVERY_MS)
    try {
      const result = await waitForMessages(session.backend, {
        channels,
        filter: { me: me.sender, mentionsOnly: mentions_only === true },
        timeoutMs,
        cursors: session.cursors,
        signal: call.signal,
      })
      const what = mentions_only ? `messages mentioning @${me.sender}` : 'new messages'
      const text =
        result.messages.length === 0
          ? `No ${what} in ${channels.map((c) => `#${c}`).join(', ')} after ${Math.round(result.waited_ms / 1000)} s (timed out).`
          : `${result.messages.length} ${what}:\n${result.messages.map((m) => `#${m.channel} ${formatMessage(m)}`).join('\n')}`
      return { text, data: { ...result } }
    } finally {
      clearInterval(ticker)
    }
  },
})
