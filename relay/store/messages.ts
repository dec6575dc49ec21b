// Messages: one Redis stream per channel (ids are the message ids, in log order), a copy of each
// reply in its parent's thread stream under the same id, and a reply-count hash. Content is
// stored exactly as sent: ciphertext strings pass through untouched.
import { ApiError } from '../../sdk/api/errors.js'
import type { MessageQuery, NewMessage, PageQuery, WriteCount } from '../../sdk/api/store.js'
import type { Message, MessagePage, ThreadPage } from '../../sdk/api/types.js'
import { isEncryptedContent, type StoreContext } from './context.js'
import { fieldsOf, isStreamId, nowIso, parseCursor, type StreamEntry } from './ids.js'
import type { KeyProof } from './key-auth.js'
import { keys } from './keys.js'
import { runScript, scriptError } from './scripts.js'

/** filtered reads scan at most this many entries per request, then hand back a cursor */
const SCAN_BATCH = 200
const SCAN_MAX_BATCHES = 10

export function toMessage(channel: string, id: string, f: Record<string, string>): Message {
  const message: Message = {
    id,
    channel,
    sender: f.s ?? 'unknown',
    content: f.c ?? '',
    mention: f.m ? f.m : null,
    thread_id: f.t ? f.t : null,
    reply_count: 0,
    created_at: f.at ?? '',
  }
  if (f.e === '1') message.encrypted = true
  return message
}

/** The keys and notify channel of one channel's writes, built once (they only depend on the names). */
interface WriteKeys {
  msgs: string
  events: string
  meta: string
  channels: string
  team: string
  notify: string
}

// The keys of recently written channels, at most MAX_CACHED_WRITE_KEYS in all (the oldest goes
// first), so that neither many teams nor posts to refused channel names can grow it without bound.
// It only saves building the strings again; the team-level ones are shared by a team's channels.
const MAX_CACHED_WRITE_KEYS = 10_000
const writeKeyCache = new Map<string, WriteKeys>()
const teamKeyCache = new Map<string, Pick<WriteKeys, 'channels' | 'team'>>()

/** Keep `value` under `key`, first dropping the oldest entry when the cache is full. */
function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED_WRITE_KEYS) cache.delete(cache.keys().next().value as string)
  cache.set(key, value)
  return value
}

function writeKeys(teamId: string, channel: string): WriteKeys {
  const cacheKey = `${teamId}\n${channel}`
  const found = writeKeyCache.get(cacheKey)
  if (found) return found
  const team =
    teamKeyCache.get(teamId) ??
    remember(teamKeyCache, teamId, { channels: keys.channels(teamId), team: keys.team(teamId) })
  return remember(writeKeyCache, cacheKey, {
    msgs: keys.messages(teamId, channel),
    events: keys.events(teamId, channel),
    meta: keys.channelMeta(teamId, channel),
    channels: team.channels,
    team: team.team,
    notify: keys.eventsNotify(teamId, channel),
  })
}

export async function postMessage(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  sender: string,
  input: NewMessage,
  counted?: { count: WriteCount; proof: KeyProof },
): Promise<Message> {
  const threadId = input.thread_id ? parseCursor(input.thread_id, 'thread_id') : null
  const encrypted = isEncryptedContent(input.content)
  const createdAt = nowIso()
  const k = writeKeys(teamId, channel)
  const { limits } = ctx
  const proof = counted?.proof
  // see hfPostMessage: a reply's keys and arguments only for a reply, the mention only when set
  const scriptKeys = [
    k.msgs,
    k.events,
    k.meta,
    k.channels,
    k.team,
    proof?.record ?? k.team,
    proof?.counter ?? k.team,
  ]
  const args: Array<string | number> = [
    channel,
    sender,
    input.content,
    createdAt,
    encrypted ? '1' : '0',
    k.notify,
    limits.channelsPerTeam,
    limits.messagesPerChannel,
    limits.eventsPerChannel,
    proof?.hash ?? '',
    proof?.permissionsJson ?? '',
    counted?.count.windowMs ?? 0,
    counted?.count.max ?? 0,
  ]
  if (threadId) {
    scriptKeys.push(
      keys.thread(teamId, channel, threadId),
      keys.threads(teamId, channel),
      keys.replyCounts(teamId, channel),
    )
    args.push(input.mention ?? '', threadId, limits.repliesPerThread)
  } else if (input.mention) {
    args.push(input.mention)
  }
  const reply = await runScript(ctx.redis, 'hfPostMessage', scriptKeys, args)
  const [status, id, hits, ttl, refusal] = reply
  if (status === 'RETRY') {
    if (counted) counted.count.stale = true
    throw new ApiError('INVALID_API_KEY', 'API key changed; authenticate again')
  }
  if (counted) {
    counted.count.hits = Number(hits)
    counted.count.ttlMs = Number(ttl)
  }
  if (refusal) {
    throw refusal === 'RATE_LIMITED'
      ? new ApiError('RATE_LIMITED', 'Too many requests. Slow down.', {
          retryAfter: Math.max(1, Math.ceil(Number(ttl) / 1000)),
        })
      : scriptError(refusal)
  }
  const message: Message = {
    id: id as string,
    channel,
    sender,
    content: input.content,
    mention: input.mention ? input.mention : null,
    thread_id: threadId,
    reply_count: 0,
    created_at: createdAt,
  }
  if (encrypted) message.encrypted = true
  return message
}

async function withReplyCounts(ctx: StoreContext, teamId: string, channel: string, messages: Message[]) {
  if (messages.length === 0) return messages
  const counts = await ctx.redis.hmget(keys.replyCounts(teamId, channel), ...messages.map((m) => m.id))
  messages.forEach((m, i) => {
    const n = Number(counts[i] ?? 0)
    m.reply_count = Number.isFinite(n) && n > 0 ? n : 0
  })
  return messages
}

export async function getMessage(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  id: string,
): Promise<Message | null> {
  if (!isStreamId(id)) return null
  const entries = (await ctx.redis.xrange(keys.messages(teamId, channel), id, id)) as StreamEntry[]
  const entry = entries[0]
  if (!entry) return null
  const [message] = await withReplyCounts(ctx, teamId, channel, [
    toMessage(channel, entry[0], fieldsOf(entry[1])),
  ])
  return message ?? null
}

type Filter = (m: Message) => boolean

interface Scan {
  messages: Message[]
  hasMore: boolean
  /** the id to resume after: the last message returned, or further when non-matching entries were skipped */
  next: string
}

/** Oldest-first read after an exclusive cursor, keeping the messages `filter` accepts. */
async function scanForward(
  ctx: StoreContext,
  stream: string,
  channel: string,
  after: string,
  limit: number,
  filter: Filter | null,
): Promise<Scan> {
  const out: Message[] = []
  let cursor = after
  for (let batch = 0; batch < SCAN_MAX_BATCHES; batch++) {
    const count = filter ? SCAN_BATCH : limit + 1
    const entries = (await ctx.redis.xrange(stream, `(${cursor}`, '+', 'COUNT', count)) as StreamEntry[]
    for (const [id, flat] of entries) {
      const m = toMessage(channel, id, fieldsOf(flat))
      if (filter && !filter(m)) {
        cursor = id
        continue
      }
      if (out.length === limit)
        return { messages: out, hasMore: true, next: out[out.length - 1]?.id ?? cursor }
      out.push(m)
      cursor = id
    }
    if (entries.length < count) return { messages: out, hasMore: false, next: cursor }
  }
  // scan budget spent: hand back a cursor past what was scanned so the next call goes on from there
  return { messages: out, hasMore: true, next: cursor }
}

/** The newest `limit` accepted messages, returned oldest first. */
async function scanLatest(
  ctx: StoreContext,
  stream: string,
  channel: string,
  limit: number,
  filter: Filter | null,
): Promise<Scan> {
  const out: Message[] = []
  let head: string | null = null
  let before = '+'
  let hasMore = false
  outer: for (let batch = 0; batch < SCAN_MAX_BATCHES; batch++) {
    const count = filter ? SCAN_BATCH : limit + 1
    const entries = (await ctx.redis.xrevrange(stream, before, '-', 'COUNT', count)) as StreamEntry[]
    for (const [id, flat] of entries) {
      head ??= id
      before = `(${id}`
      const m = toMessage(channel, id, fieldsOf(flat))
      if (filter && !filter(m)) continue
      if (out.length === limit) {
        hasMore = true
        break outer
      }
      out.push(m)
    }
    if (entries.length < count) break
    if (batch === SCAN_MAX_BATCHES - 1) hasMore = true
  }
  out.reverse()
  // the cursor is the newest id seen, so a follow-up read with it returns only newer messages
  return { messages: out, hasMore, next: head ?? '0-0' }
}

function filterOf(query: { mention?: string; sender?: string; excludeSender?: string }): Filter | null {
  const { mention, sender, excludeSender } = query
  if (!mention && !sender && excludeSender === undefined) return null
  return (m) =>
    (!mention || m.mention === mention) &&
    (!sender || m.sender === sender) &&
    (excludeSender === undefined || m.sender !== excludeSender)
}

export async function readMessages(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  query: MessageQuery & { excludeSender?: string },
): Promise<MessagePage> {
  const after = parseCursor(query.after_id)
  const threadId = query.thread_id ? parseCursor(query.thread_id, 'thread_id') : null
  const stream = threadId ? keys.thread(teamId, channel, threadId) : keys.messages(teamId, channel)
  const filter = filterOf(query)
  const scan =
    after === null
      ? await scanLatest(ctx, stream, channel, query.limit, filter)
      : await scanForward(ctx, stream, channel, after, query.limit, filter)
  if (!threadId) await withReplyCounts(ctx, teamId, channel, scan.messages)
  return { messages: scan.messages, next_after_id: scan.next, has_more: scan.hasMore, channel }
}

export async function readThread(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  parentId: string,
  query: PageQuery,
): Promise<ThreadPage> {
  const parent = await getMessage(ctx, teamId, channel, parseCursor(parentId, 'id') ?? '')
  if (!parent) throw new ApiError('MESSAGE_NOT_FOUND', 'Parent message not found')
  const after = parseCursor(query.after_id) ?? '0-0'
  const scan = await scanForward(
    ctx,
    keys.thread(teamId, channel, parent.id),
    channel,
    after,
    query.limit,
    null,
  )
  return { parent, replies: scan.messages, next_after_id: scan.next, has_more: scan.hasMore }
}

export async function deleteMessage(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  id: string,
  deletedBy: string,
  asAdmin: boolean,
): Promise<void> {
  if (!isStreamId(id)) throw new ApiError('MESSAGE_NOT_FOUND', 'Message not found')
  let parent = (await getMessage(ctx, teamId, channel, id))?.thread_id ?? ''
  for (let attempt = 0; attempt < 3; attempt++) {
    const [status, actual] = await runScript(
      ctx.redis,
      'hfDeleteMessage',
      [
        keys.messages(teamId, channel),
        keys.events(teamId, channel),
        keys.replyCounts(teamId, channel),
        keys.threads(teamId, channel),
        parent ? keys.thread(teamId, channel, parent) : keys.threads(teamId, channel),
        keys.thread(teamId, channel, id),
      ],
      [
        id,
        parent,
        deletedBy,
        asAdmin ? '' : deletedBy,
        ctx.limits.eventsPerChannel,
        keys.eventsNotify(teamId, channel),
      ],
    )
    if (status === 'OK') return
    parent = actual ?? ''
  }
  throw new Error('message delete kept racing')
}

export async function readUnread(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  sender: string,
  limit: number,
): Promise<MessagePage> {
  const ack = await ctx.redis.hget(keys.acks(teamId, channel), sender)
  const after = ack?.split(' ')[0] ?? '0-0'
  return readMessages(ctx, teamId, channel, { after_id: after, limit, excludeSender: sender })
}
