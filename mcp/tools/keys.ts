import { z } from 'zod'
import type { Permissions } from '../../sdk/api/types.js'
import { ToolInputError } from '../errors.js'
import { formatAudit, formatKeys, formatPermissions } from '../format.js'
import { afterIdField, limitField, permissionLevel, permissionsField } from './schemas.js'
import { defineTool } from './tool.js'

const keyHashField = z
  .string()
  .min(1)
  .describe(
    'Id of the key: the "key" field of list_keys (or key_id from create_key), never the secret key itself',
  )

/** The seed sent permissions as a JSON string; accept that and plain objects alike. */
export function parsePermissions(input: string | Record<string, string>): Permissions {
  let value: unknown = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw new ToolInputError('INVALID_PERMISSIONS', `permissions is not valid JSON: ${input}`)
    }
  }
  const parsed = z.record(z.string(), permissionLevel).safeParse(value)
  if (!parsed.success) {
    throw new ToolInputError(
      'INVALID_PERMISSIONS',
      'permissions must map channel names (or "*") to "read", "write" or "admin", e.g. {"*":"read","build":"write"}',
    )
  }
  return parsed.data
}

export const createKey = defineTool({
  name: 'create_key',
  title: 'Create API key',
  description:
    'Create an API key for a teammate or another agent; each key has its own sender name, which appears on its ' +
    'messages and is what others mention. Returns the secret key (shown only once: hand it to its owner) and its ' +
    'id. Without permissions the key gets {"*":"admin"}. Needs admin rights. ' +
    'Example: {"sender_name": "bob", "permissions": {"*": "write"}}',
  input: {
    sender_name: z.string().min(1).describe("Sender name for the key's owner (e.g. 'bob', 'deploy-bot')"),
    permissions: permissionsField.optional(),
  },
  annotations: { destructiveHint: false, idempotentHint: false },
  async run({ sender_name, permissions }, { backend }) {
    const created = await backend.createKey(
      sender_name,
      permissions === undefined ? undefined : parsePermissions(permissions),
    )
    const id = created.key_id ? ` (id ${created.key_id})` : ''
    const text =
      `Created a key for ${created.sender}${id}, permissions {${formatPermissions(created.permissions ?? { '*': 'admin' })}}.\n` +
      `API key (shown once): ${created.api_key}`
    return { text, data: { ...created } }
  },
})

export const listKeys = defineTool({
  name: 'list_keys',
  title: 'List API keys',
  description:
    'List the team\'s API keys: id (the "key" field, used by set_key_permissions and revoke_key), sender name, ' +
    'permissions, created / last used, revoked. Never shows secrets. Needs admin rights.',
  input: {},
  annotations: { readOnlyHint: true },
  async run(_args, { backend }) {
    const keys = await backend.listKeys()
    return { text: formatKeys(keys), data: { keys } }
  },
})

export const setKeyPermissions = defineTool({
  name: 'set_key_permissions',
  title: 'Set key permissions',
  description:
    'Replace the permissions of an API key; effective at once. Levels: "read" (read messages and status), "write" ' +
    '(read + post, ack, set status), "admin" (write + delete; "*": "admin" also manages keys and channels). Use "*" ' +
    'for every channel. An empty map {} grants nothing. Needs admin rights. ' +
    'Example: {"key_hash": "<key from list_keys>", "permissions": {"*": "read", "deploy": "write"}}',
  input: { key_hash: keyHashField, permissions: permissionsField },
  annotations: { idempotentHint: true, destructiveHint: true },
  async run({ key_hash, permissions }, { backend }) {
    const parsed = parsePermissions(permissions)
    await backend.updateKeyPermissions(key_hash, parsed)
    return {
      text: `Key ${key_hash} now has permissions {${formatPermissions(parsed)}}.`,
      data: { key: key_hash, permissions: parsed },
    }
  },
})

export const revokeKey = defineTool({
  name: 'revoke_key',
  title: 'Revoke API key',
  description:
    'Revoke an API key at once: it can no longer read or write, and its open streams close. On a node this also ' +
    'removes the member from future encryption epochs. Irreversible; needs admin rights. ' +
    'Example: {"key_hash": "<key from list_keys>"}',
  input: { key_hash: keyHashField },
  annotations: { destructiveHint: true, idempotentHint: true },
  async run({ key_hash }, { backend }) {
    await backend.revokeKey(key_hash)
    return { text: `Revoked key ${key_hash}.`, data: { revoked: true, key: key_hash } }
  },
})

export const readAuditLog = defineTool({
  name: 'read_audit_log',
  title: 'Read audit log',
  description:
    'Read the permission audit log, newest first: every denied request (which key and sender, action, channel). ' +
    'Use it to find an agent that is missing access. Page with after_id. Needs admin rights. Example: {"limit": 20}',
  input: {
    after_id: afterIdField,
    limit: limitField,
    result: z.string().min(1).optional().describe("Filter by result, e.g. 'denied'"),
  },
  annotations: { readOnlyHint: true },
  async run({ after_id, limit, result }, { backend }) {
    const page = await backend.audit({ after_id, limit, result })
    return { text: formatAudit(page), data: { ...page } }
  },
})

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description:
    'Show who this MCP server acts as: your sender name (what others put in "mention" to reach you), team, ' +
    'permissions, and whether you are connected to the local node or a relay. Call it once at the start of a task.',
  input: {},
  annotations: { readOnlyHint: true },
  async run(_args, { backend }) {
    // Fresh each time: permissions change (set_key_permissions) while the server runs.
    const me = await backend.whoami()
    const { kind, apiUrl } = backend
    const text =
      `You are ${me.sender} (team ${me.team_id}), connected to the ${kind === 'node' ? 'local node' : 'relay'} at ${apiUrl}.\n` +
      `Permissions: {${formatPermissions(me.permissions)}}`
    return { text, data: { ...me, connection: kind, api_url: apiUrl } }
  },
})
