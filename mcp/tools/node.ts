// Tools that only a local node can answer; registered only when connected to one.
import { z } from 'zod'
import type { HandoffBackend } from '../backend.js'
import { ToolInputError } from '../errors.js'
import { formatSyncStatus, shortTime } from '../format.js'
import { defineTool } from './tool.js'

function nodeOnly<K extends 'invite' | 'syncStatus'>(
  backend: HandoffBackend,
  name: K,
): NonNullable<HandoffBackend[K]> {
  const fn = backend[name]
  if (!fn)
    throw new ToolInputError(
      'NOT_SUPPORTED',
      'This tool needs a local node; this server is connected to a relay.',
    )
  return fn.bind(backend) as NonNullable<HandoffBackend[K]>
}

export const invite = defineTool({
  name: 'invite',
  title: 'Invite a teammate',
  description:
    'Create a one-time invite code for a new member of your team (their node joins with `handoff join CODE`). ' +
    'Give the code to that person only; it expires. Needs admin rights. ' +
    'Example: {"name": "bob", "role": "member"}',
  input: {
    name: z.string().min(1).describe('Sender name the new member will have'),
    role: z
      .enum(['member', 'admin', 'reader'])
      .optional()
      .describe('member (read/write, default), admin (manages keys and channels) or reader (read only)'),
  },
  annotations: { destructiveHint: false, idempotentHint: false },
  async run({ name, role }, { backend }) {
    const result = await nodeOnly(backend, 'invite')(name, role ?? 'member')
    const expires = result.expires_at ? ` It expires ${shortTime(result.expires_at)}.` : ''
    return {
      text: `Invite code for ${name} (${role ?? 'member'}): ${result.code}\nThey run: handoff join ${result.code}.${expires}`,
      data: { ...result, name, role: role ?? 'member' },
    }
  },
})

export const syncStatus = defineTool({
  name: 'sync_status',
  title: 'Sync status',
  description:
    "Show the local node's replication state: connected peers, relay connection, log lengths and sync lag. Use it " +
    'when a teammate says they posted something you cannot see yet.',
  input: {},
  annotations: { readOnlyHint: true },
  async run(_args, { backend }) {
    const status = await nodeOnly(backend, 'syncStatus')()
    return { text: formatSyncStatus(status), data: status }
  },
})
