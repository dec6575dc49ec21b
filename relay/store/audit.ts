// Audit log: one stream per team of permission denials, newest first. `after_id` pages towards
// older entries (exclusive); `result` filters (scanning a bounded number of entries).
import type { PageQuery } from '../../sdk/api/store.js'
import type { AuditEntry, AuditPage } from '../../sdk/api/types.js'
import type { StoreContext } from './context.js'
import { fieldsOf, nowIso, parseCursor, type StreamEntry } from './ids.js'
import { keys } from './keys.js'

const SCAN_BATCH = 200
const SCAN_MAX_BATCHES = 10

export async function recordAudit(
  ctx: StoreContext,
  teamId: string,
  entry: Omit<AuditEntry, 'id' | 'timestamp'>,
): Promise<void> {
  await ctx.redis.xadd(
    keys.audit(teamId),
    'MAXLEN',
    '~',
    ctx.limits.auditPerTeam,
    '*',
    'key_hash',
    entry.key_hash,
    'sender_name',
    entry.sender_name,
    'action',
    entry.action,
    'channel',
    entry.channel,
    'result',
    entry.result,
    'timestamp',
    nowIso(),
  )
}

function toEntry(id: string, f: Record<string, string>): AuditEntry {
  return {
    id,
    key_hash: f.key_hash ?? '',
    sender_name: f.sender_name ?? '',
    action: f.action ?? '',
    channel: f.channel ?? '',
    result: f.result ?? '',
    timestamp: f.timestamp ?? '',
  }
}

export async function readAudit(
  ctx: StoreContext,
  teamId: string,
  query: PageQuery & { result?: string },
): Promise<AuditPage> {
  const after = parseCursor(query.after_id)
  // "0" means "from the start", which for a newest-first log is the newest entry
  let before = after === null || after === '0-0' ? '+' : `(${after}`
  const entries: AuditEntry[] = []
  let hasMore = false
  let last = after ?? '0-0'
  const count = query.result ? SCAN_BATCH : query.limit + 1
  outer: for (let batch = 0; batch < SCAN_MAX_BATCHES; batch++) {
    const raw = (await ctx.redis.xrevrange(keys.audit(teamId), before, '-', 'COUNT', count)) as StreamEntry[]
    for (const [id, flat] of raw) {
      const e = toEntry(id, fieldsOf(flat))
      if (query.result && e.result !== query.result) {
        before = `(${id}`
        last = id
        continue
      }
      if (entries.length === query.limit) {
        hasMore = true
        break outer
      }
      entries.push(e)
      before = `(${id}`
      last = id
    }
    if (raw.length < count) break
    if (batch === SCAN_MAX_BATCHES - 1) hasMore = true
  }
  return { entries, next_after_id: last, has_more: hasMore }
}
