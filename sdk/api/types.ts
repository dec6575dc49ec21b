// Wire shapes of the Handoff HTTP API (SPEC section 3), the seed's names kept exactly.
// Times are ISO 8601 UTC strings. These types are shared by both servers and the SDK.

export type PermissionLevel = 'read' | 'write' | 'admin'
/** channel name or "*" -> level; admin implies write implies read */
export type Permissions = Record<string, PermissionLevel>

export interface Team {
  id: string
  name: string
  created_at: string
}

export interface Channel {
  name: string
  description: string | null
  created_at: string
  message_count?: number
  last_activity?: string | null
}

export interface Message {
  id: string
  channel: string
  sender: string
  content: string
  mention: string | null
  thread_id: string | null
  reply_count: number
  created_at: string
  /** set when content is an end-to-end-encrypted string the server cannot read */
  encrypted?: boolean
}

export interface MessagePage {
  messages: Message[]
  next_after_id: string
  has_more: boolean
  channel: string
}

export interface ThreadPage {
  parent: Message
  replies: Message[]
  next_after_id: string
  has_more: boolean
}

export interface Ack {
  channel: string
  sender: string
  last_read_id: string
  acked_at: string
}

export interface Status {
  channel: string
  key: string
  value: string
  updated_by: string | null
  updated_at: string
}

export interface StatusChange {
  id: string
  channel: string
  key: string
  value: string
  changed_by: string | null
  changed_at: string
  /** true when this change deleted the key (value is then "") */
  deleted?: boolean
}

export interface StatusChangePage {
  changes: StatusChange[]
  next_after_id: string
  has_more: boolean
}

export interface AuditEntry {
  id: string
  key_hash: string
  sender_name: string
  action: string
  channel: string
  result: string
  timestamp: string
}

export interface AuditPage {
  entries: AuditEntry[]
  next_after_id: string
  has_more: boolean
}

export interface KeyInfo {
  /** the key's id (never the secret); the id the key routes take */
  key: string
  sender: string
  permissions: Permissions
  created_at: string
  last_used_at: string | null
  revoked: boolean
}

/** Team-wide settings (relay). */
export interface TeamSettings {
  /** when true, plaintext message content and status values are refused (ENCRYPTION_REQUIRED) */
  encryption_required: boolean
}

export interface SignupResponse {
  team: Team
  api_key: string
}

export interface CreateKeyResponse {
  api_key: string
  sender: string
  permissions?: Permissions
  /** the new key's id, for the key routes */
  key_id?: string
}

/** Events of the SSE stream. `message` is the seed's; the others are additions old clients ignore. */
export type StreamEvent =
  | { type: 'message'; id: string; data: Message }
  | {
      type: 'delete'
      id: string
      data: { id: string; channel: string; thread_id: string | null; deleted_by: string }
    }
  | { type: 'status'; id: string; data: StatusChange }
  | { type: 'ack'; id: string; data: Ack }
