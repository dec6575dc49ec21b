// Zod schemas of the API's responses, for the OpenAPI document (and any client that wants to
// check what it receives). The type assertions at the end fail to compile if these drift from
// the wire types in types.ts.
import { z } from 'zod'
import type * as T from './types.js'

const id = z.string().describe("a log-order id, e.g. '1712345678901-0'")
const time = z.string().describe('ISO 8601 UTC')
const level = z.enum(['read', 'write', 'admin'])

export const permissionsOut = z.record(z.string(), level)
export const team = z.object({ id: z.string(), name: z.string(), created_at: time })
export const channel = z.object({
  name: z.string(),
  description: z.string().nullable(),
  created_at: time,
  message_count: z.number().int().optional(),
  last_activity: time.nullable().optional(),
})
export const message = z.object({
  id,
  channel: z.string(),
  sender: z.string(),
  content: z.string(),
  mention: z.string().nullable(),
  thread_id: id.nullable(),
  reply_count: z.number().int(),
  created_at: time,
  encrypted: z.boolean().optional(),
})
export const messagePage = z.object({
  messages: z.array(message),
  next_after_id: id,
  has_more: z.boolean(),
  channel: z.string(),
})
export const threadPage = z.object({
  parent: message,
  replies: z.array(message),
  next_after_id: id,
  has_more: z.boolean(),
})
export const ack = z.object({ channel: z.string(), sender: z.string(), last_read_id: id, acked_at: time })
export const status = z.object({
  channel: z.string(),
  key: z.string(),
  value: z.string(),
  updated_by: z.string().nullable(),
  updated_at: time,
})
export const statusChange = z.object({
  id,
  channel: z.string(),
  key: z.string(),
  value: z.string(),
  changed_by: z.string().nullable(),
  changed_at: time,
  deleted: z.boolean().optional(),
})
export const statusChangePage = z.object({
  changes: z.array(statusChange),
  next_after_id: id,
  has_more: z.boolean(),
})
export const auditEntry = z.object({
  id,
  key_hash: z.string(),
  sender_name: z.string(),
  action: z.string(),
  channel: z.string(),
  result: z.string(),
  timestamp: time,
})
export const auditPage = z.object({ entries: z.array(auditEntry), next_after_id: id, has_more: z.boolean() })
export const keyInfo = z.object({
  key: z.string(),
  sender: z.string(),
  permissions: permissionsOut,
  created_at: time,
  last_used_at: time.nullable(),
  revoked: z.boolean(),
})
export const createKeyResponse = z.object({
  api_key: z.string(),
  sender: z.string(),
  permissions: permissionsOut.optional(),
  key_id: z.string().optional(),
})
export const signupResponse = z.object({ team, api_key: z.string() })
export const keyPermissions = z.object({ key: z.string(), permissions: permissionsOut })
export const teamSettings = z.object({ encryption_required: z.boolean() })
export const probe = z.object({ status: z.string(), redis: z.string().optional() })

// ---- drift checks: each line fails to compile when a schema and its wire type disagree ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const same = <A, B>(ok: Same<A, B>) => ok
same<z.infer<typeof message>, T.Message>(true)
same<z.infer<typeof messagePage>, T.MessagePage>(true)
same<z.infer<typeof threadPage>, T.ThreadPage>(true)
same<z.infer<typeof channel>, T.Channel>(true)
same<z.infer<typeof ack>, T.Ack>(true)
same<z.infer<typeof status>, T.Status>(true)
same<z.infer<typeof statusChangePage>, T.StatusChangePage>(true)
same<z.infer<typeof auditPage>, T.AuditPage>(true)
same<z.infer<typeof keyInfo>, T.KeyInfo>(true)
same<z.infer<typeof createKeyResponse>, T.CreateKeyResponse>(true)
same<z.infer<typeof signupResponse>, T.SignupResponse>(true)
same<z.infer<typeof teamSettings>, T.TeamSettings>(true)
