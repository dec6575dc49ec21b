// Every tool, in the order a client lists them: the 18 of handoff-sdk v1.3.2 with their names and
// parameters (agents and prompts written for it keep working), then the additions.
import type { HandoffBackend } from '../backend.js'
import { createChannel, deleteChannel, listChannels } from './channels.js'
import { createKey, listKeys, readAuditLog, revokeKey, setKeyPermissions, whoami } from './keys.js'
import { deleteMessage, postMessage, readMessages, readThread, readUnread } from './messages.js'
import { invite, syncStatus } from './node.js'
import { ack, deleteStatus, getAcks, getStatus, getStatusChanges, setStatus } from './status.js'
import type { ToolDef } from './tool.js'
import { waitForMessagesTool } from './wait.js'

export const SEED_TOOLS: ToolDef[] = [
  createChannel,
  listChannels,
  postMessage,
  readMessages,
  readThread,
  ack,
  getAcks,
  readUnread,
  setStatus,
  getStatus,
  getStatusChanges,
  deleteStatus,
  deleteChannel,
  deleteMessage,
  setKeyPermissions,
  createKey,
  readAuditLog,
  listKeys,
]

export const NEW_TOOLS: ToolDef[] = [waitForMessagesTool, revokeKey, whoami]

export const NODE_TOOLS: ToolDef[] = [invite, syncStatus]

/** The tools this backend can serve: node-only tools are offered only when connected to a node. */
export function toolsFor(backend: HandoffBackend): ToolDef[] {
  const node = backend.invite && backend.syncStatus ? NODE_TOOLS : []
  return [...SEED_TOOLS, ...NEW_TOOLS, ...node]
}
