// Concise text renderings of API results for a model: one line per item, ids and cursors always
// shown (the model needs them for the next call), no JSON noise. The full objects travel beside
// the text as structuredContent.
import type {
  Ack,
  AuditPage,
  Channel,
  KeyInfo,
  Message,
  MessagePage,
  Permissions,
  Status,
  StatusChangePage,
  ThreadPage,
} from '../sdk/api/types.js'

/** "2026-11-27T12:01:02.345Z" -> "2026-11-27 12:01:02Z": shorter, still unambiguous. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-'
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso)
  return m ? `${m[1]} ${m[2]}Z` : iso
}

/** A message as the SDK client hands it back: decrypt_error is set when its content did not open. */
type ReadMessage = Message & { decrypt_error?: string }

export function formatMessage(m: ReadMessage): string {
  const to = m.mention ? ` -> @${m.mention}` : ''
  const inThread = m.thread_id ? ` (reply to ${m.thread_id})` : ''
  const replies = m.reply_count > 0 ? ` [${m.reply_count} ${m.reply_count === 1 ? 'reply' : 'replies'}]` : ''
  const flag = m.decrypt_error ? ` [encrypted, could not be opened: ${m.decrypt_error}]` : ''
  return `[${m.id}] ${shortTime(m.created_at)} ${m.sender}${to}${inThread}${replies}${flag}: ${m.content}`
}

function messageLines(messages: Message[]): string {
  return messages.length === 0 ? '(no messages)' : messages.map(formatMessage).join('\n')
}

function cursorLine(page: { next_after_id: string; has_more: boolean }, what: string): string {
  const more = page.has_more ? `more ${what} follow: pass after_id="${page.next_after_id}"` : 'no more'
  return `next_after_id: ${page.next_after_id || '-'} (${more})`
}

export function formatMessagePage(page: MessagePage, title = `#${page.channel}`): string {
  const n = page.messages.length
  const last = page.messages.at(-1)
  const ackHint = last
    ? `\nTo mark these read: ack(channel="${page.channel}", last_read_id="${last.id}")`
    : ''
  return `${title}: ${n} message${n === 1 ? '' : 's'}\n${messageLines(page.messages)}\n${cursorLine(page, 'messages')}${ackHint}`
}

export function formatThread(t: ThreadPage): string {
  return `Thread ${t.parent.id} in #${t.parent.channel}\n${formatMessage(t.parent)}\nReplies (${t.replies.length}):\n${messageLines(t.replies)}\n${cursorLine(t, 'replies')}`
}

export function formatChannels(channels: Channel[]): string {
  if (channels.length === 0) return 'No channels yet. Create one with create_channel.'
  const lines = channels.map((c) => {
    const count = c.message_count === undefined ? '' : `, ${c.message_count} messages`
    const active = c.last_activity ? `, last activity ${shortTime(c.last_activity)}` : ''
    const desc = c.description ? ` - ${c.description}` : ''
    return `#${c.name}${desc} (created ${shortTime(c.created_at)}${count}${active})`
  })
  return `${channels.length} channel${channels.length === 1 ? '' : 's'}:\n${lines.join('\n')}`
}

export function formatAcks(channel: string, acks: Ack[]): string {
  if (acks.length === 0) return `No acks in #${channel} yet.`
  return `Acks in #${channel}:\n${acks.map((a) => `${a.sender} read up to ${a.last_read_id} (at ${shortTime(a.acked_at)})`).join('\n')}`
}

export function formatStatuses(statuses: Status[]): string {
  if (statuses.length === 0) return 'No status entries.'
  return statuses
    .map(
      (s) => `#${s.channel} ${s.key} = ${s.value} (by ${s.updated_by ?? '-'} at ${shortTime(s.updated_at)})`,
    )
    .join('\n')
}

export function formatStatusChanges(channel: string, page: StatusChangePage): string {
  const lines = page.changes.map((c) => {
    const what = c.deleted ? `${c.key} deleted` : `${c.key} = ${c.value}`
    return `[${c.id}] ${shortTime(c.changed_at)} ${c.changed_by ?? '-'}: ${what}`
  })
  return `Status changes in #${channel} (${page.changes.length}):\n${lines.join('\n') || '(none)'}\n${cursorLine(page, 'changes')}`
}

export function formatPermissions(p: Permissions | null | undefined): string {
  if (!p) return '-'
  const entries = Object.entries(p)
  return entries.length === 0 ? '(none)' : entries.map(([ch, level]) => `${ch}:${level}`).join(', ')
}

export function formatKeys(keys: KeyInfo[]): string {
  if (keys.length === 0) return 'No keys.'
  return keys
    .map((k) => {
      const state = k.revoked ? ' REVOKED' : ''
      const used = k.last_used_at ? `, last used ${shortTime(k.last_used_at)}` : ''
      return `key=${k.key} sender=${k.sender}${state} permissions={${formatPermissions(k.permissions)}} (created ${shortTime(k.created_at)}${used})`
    })
    .join('\n')
}

export function formatAudit(page: AuditPage): string {
  const lines = page.entries.map(
    (e) =>
      `[${e.id}] ${shortTime(e.timestamp)} ${e.sender_name} (key ${e.key_hash}) ${e.action} #${e.channel}: ${e.result}`,
  )
  return `Audit log (${page.entries.length}):\n${lines.join('\n') || '(no entries)'}\n${cursorLine(page, 'entries')}`
}

/** What GET /api/node/status answers (read leniently: every field may be missing). */
interface NodeStatusLike {
  team?: { id?: string; name?: string }
  member?: { name?: string; role?: string; device?: string }
  url?: string
  writable?: boolean
  peers?: number
  log?: {
    length?: number
    signed_length?: number
    local_length?: number
    view_length?: number
    unsigned?: number
  }
  relay?: { configured?: boolean; url?: string | null; state?: string }
}

export function formatSyncStatus(raw: Record<string, unknown>): string {
  const s = raw as NodeStatusLike
  const lines: string[] = []
  if (s.team) lines.push(`Team ${s.team.name ?? '?'} (${s.team.id ?? '?'})`)
  if (s.member)
    lines.push(`You: ${s.member.name ?? '?'} (${s.member.role ?? '?'}), device ${s.member.device ?? '?'}`)
  if (s.writable !== undefined)
    lines.push(`Writable: ${s.writable ? 'yes' : 'no (not yet a writer of the team log)'}`)
  if (s.peers !== undefined) lines.push(`Peers connected: ${s.peers}`)
  if (s.log) {
    const l = s.log
    lines.push(
      `Log: ${l.length ?? '?'} operations, ${l.signed_length ?? '?'} signed by the indexers, ${l.unsigned ?? '?'} not yet signed; ` +
        `this device wrote ${l.local_length ?? '?'}`,
    )
  }
  if (s.relay) {
    lines.push(
      s.relay.configured ? `Relay: ${s.relay.url ?? '?'} (${s.relay.state ?? '?'})` : 'Relay: not configured',
    )
  }
  return lines.length > 0 ? lines.join('\n') : JSON.stringify(raw)
}
