// Status: one hash per channel (key -> JSON record) and a change stream in which every set AND
// every delete is recorded. Both writes, and the stream event, happen in one script.
import type { PageQuery } from '../../sdk/api/store.js'
import type { Status, StatusChange, StatusChangePage } from '../../sdk/api/types.js'
import { isEncryptedContent, type StoreContext } from './context.js'
import { fieldsOf, nowIso, parseCursor, type StreamEntry } from './ids.js'
import { keys } from './keys.js'
import { runScript } from './scripts.js'

interface StatusRecord {
  value: string
  updated_by: string | null
  updated_at: string
}

export async function setStatus(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  key: string,
  value: string,
  by: string,
): Promise<Status> {
  const at = nowIso()
  const record: StatusRecord = { value, updated_by: by, updated_at: at }
  // an empty value carries nothing to protect, so it passes an encryption-required team too
  const encrypted = value === '' || isEncryptedContent(value)
  await runScript(
    ctx.redis,
    'hfSetStatus',
    [
      keys.channels(teamId),
      keys.channelMeta(teamId, channel),
      keys.status(teamId, channel),
      keys.statusChanges(teamId, channel),
      keys.events(teamId, channel),
      keys.team(teamId),
    ],
    [
      channel,
      key,
      value,
      by,
      at,
      encrypted ? '1' : '0',
      ctx.limits.channelsPerTeam,
      ctx.limits.statusChangesPerChannel,
      ctx.limits.eventsPerChannel,
      keys.eventsNotify(teamId, channel),
      JSON.stringify(record),
    ],
  )
  return { channel, key, value, updated_by: by, updated_at: at }
}

function toStatus(channel: string, key: string, raw: string): Status {
  const r = JSON.parse(raw) as StatusRecord
  return { channel, key, value: r.value, updated_by: r.updated_by, updated_at: r.updated_at }
}

export async function getStatus(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  key?: string,
): Promise<Status[]> {
  const hash = keys.status(teamId, channel)
  if (key !== undefined) {
    const raw = await ctx.redis.hget(hash, key)
    return raw === null ? [] : [toStatus(channel, key, raw)]
  }
  const all = await ctx.redis.hgetall(hash)
  return Object.keys(all)
    .sort()
    .map((k) => toStatus(channel, k, all[k] as string))
}

export async function deleteStatus(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  key: string,
  by: string,
): Promise<void> {
  await runScript(
    ctx.redis,
    'hfDeleteStatus',
    [keys.status(teamId, channel), keys.statusChanges(teamId, channel), keys.events(teamId, channel)],
    [
      key,
      by,
      nowIso(),
      ctx.limits.statusChangesPerChannel,
      ctx.limits.eventsPerChannel,
      keys.eventsNotify(teamId, channel),
    ],
  )
}

export function toStatusChange(channel: string, id: string, f: Record<string, string>): StatusChange {
  const change: StatusChange = {
    id,
    channel,
    key: f.k ?? '',
    value: f.v ?? '',
    changed_by: f.by ? f.by : null,
    changed_at: f.at ?? '',
  }
  if (f.d === '1') change.deleted = true
  return change
}

/**
 * Oldest first after an exclusive cursor; with no cursor the latest `limit` changes, oldest
 * first, as the seed answered (a poller then follows with next_after_id).
 */
export async function readStatusChanges(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  query: PageQuery,
): Promise<StatusChangePage> {
  const stream = keys.statusChanges(teamId, channel)
  const after = parseCursor(query.after_id)
  let entries: StreamEntry[]
  let hasMore: boolean
  if (after === null) {
    entries = (await ctx.redis.xrevrange(stream, '+', '-', 'COUNT', query.limit + 1)) as StreamEntry[]
    hasMore = entries.length > query.limit
    entries = entries.slice(0, query.limit).reverse()
  } else {
    entries = (await ctx.redis.xrange(stream, `(${after}`, '+', 'COUNT', query.limit + 1)) as StreamEntry[]
    hasMore = entries.length > query.limit
    entries = entries.slice(0, query.limit)
  }
  const changes = entries.map(([id, flat]) => toStatusChange(channel, id, fieldsOf(flat)))
  const next = changes[changes.length - 1]?.id ?? after ?? '0-0'
  return { changes, next_after_id: next, has_more: hasMore }
}
