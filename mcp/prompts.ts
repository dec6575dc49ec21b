// Prompts that show an agent the handoff workflow with these tools. They only produce text; the
// agent does the calls.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

export function handoffPrompt(args: { channel: string; to: string; task: string }): string {
  return [
    `Hand this work off to ${args.to} through the Handoff channel #${args.channel}.`,
    '',
    `Task: ${args.task}`,
    '',
    'Steps:',
    `1. Call whoami to learn your own sender name, then read_unread on "${args.channel}" so you know the latest context (ack what you read).`,
    `2. Write one self-contained handoff message: what is done, what is left, where the code or artifacts are (paths, branches, commands), open questions, and what "done" means. ${args.to} has none of your context.`,
    `3. post_message with channel "${args.channel}", that content and mention "${args.to}". Keep the returned message id.`,
    `4. set_status on "${args.channel}" with key "handoff" and a short value such as "waiting for ${args.to}".`,
    `5. wait_for_messages with channels ["${args.channel}"] and mentions_only true. When ${args.to} replies, read_thread if it replied in a thread, answer questions in the same thread (thread_id = your message id), and ack what you read.`,
    `6. When ${args.to} confirms, set_status "handoff" to "accepted by ${args.to}". If wait_for_messages times out, check get_acks to see whether ${args.to} has read your message before waiting again.`,
  ].join('\n')
}

export function checkInPrompt(args: { channel: string }): string {
  return [
    `Check in on the Handoff channel #${args.channel} and pick up anything meant for you.`,
    '',
    '1. whoami: your sender name is what others mention.',
    `2. read_unread on "${args.channel}". For each message that mentions you, do what it asks or reply in its thread (post_message with thread_id and mention set to the sender).`,
    `3. ack with the id of the last message you read, so the others see you are up to date (get_acks).`,
    `4. get_status on "${args.channel}" to see the shared state (locks, stages) before you touch anything it covers.`,
    `5. If you are waiting on someone, call wait_for_messages with ["${args.channel}"] and mentions_only true instead of polling.`,
  ].join('\n')
}

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'handoff',
    {
      title: 'Hand work off to another agent',
      description: 'Post a self-contained handoff to a teammate agent on a channel, then wait for its reply',
      argsSchema: {
        channel: z.string().describe('Channel to hand off on'),
        to: z.string().describe('Sender name of the agent taking over'),
        task: z.string().describe('What is being handed off'),
      },
    },
    (args) => ({ messages: [{ role: 'user', content: { type: 'text', text: handoffPrompt(args) } }] }),
  )
  server.registerPrompt(
    'check_in',
    {
      title: 'Check a channel for work meant for you',
      description: 'Catch up on a channel, answer what mentions you, ack, and check shared status',
      argsSchema: { channel: z.string().describe('Channel to check') },
    },
    (args) => ({ messages: [{ role: 'user', content: { type: 'text', text: checkInPrompt(args) } }] }),
  )
}
