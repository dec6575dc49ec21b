// Shape checks for the wire types of SPEC section 3: every field present with its JSON type,
// null where the seed sends null (never absent), times as ISO 8601 UTC.
import { expect } from 'vitest'

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$/

export function expectIso(value: unknown, what = 'time'): void {
  expect(value, what).toBeTypeOf('string')
  expect(value as string, what).toMatch(ISO_UTC)
  expect(Number.isNaN(Date.parse(value as string)), what).toBe(false)
}

function expectNullableString(value: unknown, what: string): void {
  expect(
    value === null || typeof value === 'string',
    `${what} is string|null: ${JSON.stringify(value)}`,
  ).toBe(true)
}

function expectKeys(value: unknown, keys: string[], what: string): asserts value is Record<string, any> {
  expect(value, what).toBeTypeOf('object')
  expect(value, what).not.toBeNull()
  for (const key of keys) expect(Object.hasOwn(value as object, key), `${what} has "${key}"`).toBe(true)
}

export function expectMessage(value: unknown): void {
  const keys = ['id', 'channel', 'sender', 'content', 'mention', 'thread_id', 'reply_count', 'created_at']
  expectKeys(value, keys, 'message')
  expect(value.id).toBeTypeOf('string')
  expect(value.id.length).toBeGreaterThan(0)
  expect(value.channel).toBeTypeOf('string')
  expect(value.sender).toBeTypeOf('string')
  expect(value.content).toBeTypeOf('string')
  expectNullableString(value.mention, 'mention')
  expectNullableString(value.thread_id, 'thread_id')
  expect(Number.isInteger(value.reply_count) && value.reply_count >= 0, 'reply_count').toBe(true)
  expectIso(value.created_at, 'created_at')
  // optional additions (SPEC: new optional fields may follow) keep their types when present
  for (const flag of ['deleted', 'encrypted']) {
    if (Object.hasOwn(value, flag)) expect(value[flag], flag).toBeTypeOf('boolean')
  }
}

export function expectMessagePage(value: unknown, channel: string): void {
  expectKeys(value, ['messages', 'next_after_id', 'has_more', 'channel'], 'message page')
  expect(Array.isArray(value.messages)).toBe(true)
  for (const message of value.messages) expectMessage(message)
  expect(value.next_after_id).toBeTypeOf('string')
  expect(value.has_more).toBeTypeOf('boolean')
  expect(value.channel).toBe(channel)
}

export function expectThreadPage(value: unknown): void {
  expectKeys(value, ['parent', 'replies', 'next_after_id', 'has_more'], 'thread')
  expectMessage(value.parent)
  expect(Array.isArray(value.replies)).toBe(true)
  for (const reply of value.replies) expectMessage(reply)
  expect(value.next_after_id).toBeTypeOf('string')
  expect(value.has_more).toBeTypeOf('boolean')
}

export function expectChannel(value: unknown): void {
  expectKeys(value, ['name', 'description', 'created_at'], 'channel')
  expect(value.name).toBeTypeOf('string')
  expectNullableString(value.description, 'description')
  expectIso(value.created_at, 'channel created_at')
  if (Object.hasOwn(value, 'message_count')) expect(Number.isInteger(value.message_count)).toBe(true)
  if (Object.hasOwn(value, 'last_activity') && value.last_activity !== null) expectIso(value.last_activity)
}

export function expectAck(value: unknown): void {
  expectKeys(value, ['channel', 'sender', 'last_read_id', 'acked_at'], 'ack')
  expect(value.channel).toBeTypeOf('string')
  expect(value.sender).toBeTypeOf('string')
  expect(value.last_read_id).toBeTypeOf('string')
  expectIso(value.acked_at, 'acked_at')
}

export function expectStatus(value: unknown): void {
  expectKeys(value, ['channel', 'key', 'value', 'updated_by', 'updated_at'], 'status')
  expect(value.channel).toBeTypeOf('string')
  expect(value.key).toBeTypeOf('string')
  expect(value.value).toBeTypeOf('string')
  expectNullableString(value.updated_by, 'updated_by')
  expectIso(value.updated_at, 'updated_at')
}

export function expectStatusChange(value: unknown): void {
  expectKeys(value, ['id', 'channel', 'key', 'value', 'changed_by', 'changed_at'], 'status change')
  expect(value.id).toBeTypeOf('string')
  expect(value.channel).toBeTypeOf('string')
  expect(value.key).toBeTypeOf('string')
  expect(value.value).toBeTypeOf('string')
  expectNullableString(value.changed_by, 'changed_by')
  expectIso(value.changed_at, 'changed_at')
}

export function expectStatusChangePage(value: unknown): void {
  expectKeys(value, ['changes', 'next_after_id', 'has_more'], 'status change page')
  expect(Array.isArray(value.changes)).toBe(true)
  for (const change of value.changes) expectStatusChange(change)
  expect(value.next_after_id).toBeTypeOf('string')
  expect(value.has_more).toBeTypeOf('boolean')
}

export function expectAuditPage(value: unknown): void {
  expectKeys(value, ['entries', 'next_after_id', 'has_more'], 'audit page')
  expect(Array.isArray(value.entries)).toBe(true)
  for (const entry of value.entries) {
    const keys = ['id', 'key_hash', 'sender_name', 'action', 'channel', 'result', 'timestamp']
    expectKeys(entry, keys, 'audit entry')
    for (const key of keys.slice(0, 6)) expect(entry[key], `audit ${key}`).toBeTypeOf('string')
    expectIso(entry.timestamp, 'audit timestamp')
  }
  expect(value.next_after_id).toBeTypeOf('string')
  expect(value.has_more).toBeTypeOf('boolean')
}

export function expectKeyInfo(value: unknown): void {
  expectKeys(value, ['key', 'sender', 'permissions', 'created_at', 'last_used_at', 'revoked'], 'key info')
  expect(value.key).toBeTypeOf('string')
  expect(value.sender).toBeTypeOf('string')
  expect(value.permissions).toBeTypeOf('object')
  expect(value.permissions).not.toBeNull()
  for (const level of Object.values(value.permissions)) expect(['read', 'write', 'admin']).toContain(level)
  expectIso(value.created_at, 'key created_at')
  if (value.last_used_at !== null) expectIso(value.last_used_at, 'last_used_at')
  expect(value.revoked).toBeTypeOf('boolean')
}
