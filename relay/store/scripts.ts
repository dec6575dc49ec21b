// Lua scripts: every multi-key write of the relay runs as one script over the keys of ONE team
// (one hash tag, hence one Cluster slot), so it is atomic and cluster-safe. Scripts answer a
// table whose first element is 'OK' or an ApiError code; the caller maps the code.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { ApiError, type ErrorCode } from '../../sdk/api/errors.js'

// Stream ids compared as decimal strings: Lua numbers are doubles and lose precision past 2^53.
const CMP_IDS = `
local function cmpdec(a, b)
  a = string.gsub(a, '^0+(%d)', '%1'); b = string.gsub(b, '^0+(%d)', '%1')
  if #a ~= #b then return #a - #b end
  if a < b then return -1 elseif a > b then return 1 else return 0 end
end
local function cmpid(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  local c = cmpdec(am, bm)
  if c ~= 0 then return c end
  return cmpdec(as, bs)
end
`

// Creates the channel on first use (as the seed does on post/status), within the team's limit.
const ENSURE_CHANNEL = `
local function ensure_channel(channels, meta, name, at, max)
  if redis.call('SISMEMBER', channels, name) == 1 then return true end
  if redis.call('SCARD', channels) >= tonumber(max) then return false end
  redis.call('SADD', channels, name)
  redis.call('HSET', meta, 'name', name, 'created_at', at)
  return true
end
`

// A fixed rate-limit window (as @fastify/rate-limit): the first request sets the expiry.
const COUNT_HITS = `
local function count_hits(key, window)
  local hits = redis.call('INCR', key)
  local ttl = -1
  if hits > 1 then ttl = redis.call('PTTL', key) end
  if ttl < 0 then
    redis.call('PEXPIRE', key, window)
    ttl = tonumber(window)
  end
  return hits, ttl
end
`

// Redis's own clock, so instances with skewed clocks agree on when a lease expires.
const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

const SOURCES = {
  // An SSE stream slot of one key: expired leases (their instance died) are dropped first.
  // KEYS: leases; ARGV: lease id, max, ttl ms -> {'OK', '1'} taken | {'OK', '0'} none left
  hfLeaseAcquire: `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {'OK', '0'} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {'OK', '1'}
`,
  // Extends this instance's leases of one key. KEYS: leases; ARGV: ttl ms, lease ids...
  hfLeaseRenew: `${NOW_MS}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {'OK'}
`,

  // A (cached) key checked against its record and counted in its rate-limit window, in one round
  // trip (key-auth.ts). A revoked or replaced key is not counted.
  // KEYS: key record, counter; ARGV: hash, permissions JSON as cached, window ms
  // -> {'OK'} (revoked or gone) | {'OK', hits, ttl ms, the record's permissions if not as cached, else ''}
  hfKeyCount: `${COUNT_HITS}
local r = redis.call('HMGET', KEYS[1], 'hash', 'permissions', 'revoked')
if r[1] ~= ARGV[1] or r[3] == '1' or not r[2] then return {'OK'} end
local hits, ttl = count_hits(KEYS[2], ARGV[3])
local p = ''
if r[2] ~= ARGV[2] then p = r[2] end
return {'OK', hits, ttl, p}
`,
  // With a key proof (ARGV[10] non-empty) the request is first checked against the key's record
  // and counted in its rate-limit window, as hfKeyCount, so a POST costs one round trip.
  // A reply's keys and arguments come last and only for a reply: every argument costs on both
  // sides (ioredis builds and writes it, Redis copies it into ARGV), and most posts start no thread.
  // KEYS: msgs, events, meta, channels, team, key record, counter (both any team key without a
  //       proof), [a reply only: thread, threads, rc]
  // ARGV: channel, sender, content, created_at, encrypted, notifyChannel, maxChannels, maxMsgs,
  //       maxEvents, key hash ('' without a proof), permissions JSON, window ms, max,
  //       [mention (may be absent when not a reply), [a reply only: thread_id, maxReplies]]
  // -> {'RETRY'} (key record changed: nothing counted or written)
  //  | {'OK', id or '' (refused), hits, ttl ms, '' or the refusal's error code}
  hfPostMessage: `${ENSURE_CHANNEL}${COUNT_HITS}
local hits, ttl = 0, 0
if ARGV[10] ~= '' then
  local r = redis.call('HMGET', KEYS[6], 'hash', 'permissions', 'revoked')
  if r[1] ~= ARGV[10] or r[3] == '1' or r[2] ~= ARGV[11] then return {'RETRY'} end
  hits, ttl = count_hits(KEYS[7], ARGV[12])
  if hits > tonumber(ARGV[13]) then return {'OK', '', hits, ttl, 'RATE_LIMITED'} end
end
if ARGV[5] ~= '1' and redis.call('HGET', KEYS[5], 'encryption_required') == '1' then
  return {'OK', '', hits, ttl, 'ENCRYPTION_REQUIRED'}
end
local thread = ARGV[15]
if thread and #redis.call('XRANGE', KEYS[1], thread, thread) == 0 then
  return {'OK', '', hits, ttl, 'THREAD_PARENT_NOT_FOUND'}
end
if not ensure_channel(KEYS[4], KEYS[3], ARGV[1], ARGV[4], ARGV[7]) then
  return {'OK', '', hits, ttl, 'CHANNEL_LIMIT_REACHED'}
end
local f = {'s', ARGV[2], 'c', ARGV[3], 'at', ARGV[4]}
local mention = ARGV[14]
if mention and mention ~= '' then f[#f + 1] = 'm'; f[#f + 1] = mention end
if thread then f[#f + 1] = 't'; f[#f + 1] = thread end
if ARGV[5] == '1' then f[#f + 1] = 'e'; f[#f + 1] = '1' end
-- the event id is the message id: one id space, so a seed client's Last-Event-ID (a message id) works
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[9], '*', 'type', 'message', unpack(f))
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[8], id, unpack(f))
if thread then
  redis.call('XADD', KEYS[8], 'MAXLEN', '~', ARGV[16], id, unpack(f))
  redis.call('SADD', KEYS[9], thread)
  redis.call('HINCRBY', KEYS[10], thread, 1)
end
redis.call('HSET', KEYS[3], 'last_activity', ARGV[4])
redis.call('PUBLISH', ARGV[6], id)
return {'OK', id, hits, ttl, ''}
`,

  // KEYS: msgs, events, rc, threads, parent thread (or any team key), own thread
  // ARGV: id, expected parent ('' none), deleted_by, required author ('' = caller is admin),
  //       maxEvents, notifyChannel
  hfDeleteMessage: `
local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #e == 0 then return {'MESSAGE_NOT_FOUND'} end
local s, t = '', ''
local f = e[1][2]
for i = 1, #f, 2 do
  if f[i] == 's' then s = f[i + 1] elseif f[i] == 't' then t = f[i + 1] end
end
if ARGV[4] ~= '' and s ~= ARGV[4] then return {'FORBIDDEN'} end
if t ~= ARGV[2] then return {'RETRY', t} end
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('XDEL', KEYS[2], ARGV[1])
if t ~= '' and redis.call('XDEL', KEYS[5], ARGV[1]) == 1 then
  if redis.call('HINCRBY', KEYS[3], t, -1) <= 0 then redis.call('HDEL', KEYS[3], t) end
end
redis.call('DEL', KEYS[6])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
local ev = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'type', 'delete', 'mid', ARGV[1], 't', t, 'by', ARGV[3])
redis.call('PUBLISH', ARGV[6], ev)
return {'OK', ev}
`,

  // KEYS: channels, meta. ARGV: name, description, has description ('1'), created_at, maxChannels
  hfCreateChannel: `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  if ARGV[3] == '1' then redis.call('HSET', KEYS[2], 'description', ARGV[2]) end
  return {'OK', '0'}
end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[5]) then return {'CHANNEL_LIMIT_REACHED'} end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'name', ARGV[1], 'created_at', ARGV[4])
if ARGV[3] == '1' then redis.call('HSET', KEYS[2], 'description', ARGV[2]) end
return {'OK', '1'}
`,

  // KEYS: channels, threads, <every other key of the channel and its thread streams>
  // ARGV: name, number of thread streams the caller found
  hfDeleteChannel: `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return {'CHANNEL_NOT_FOUND'} end
if redis.call('SCARD', KEYS[2]) ~= tonumber(ARGV[2]) then return {'RETRY'} end
redis.call('SREM', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('UNLINK', KEYS[i]) end
return {'OK'}
`,

  // KEYS: acks, events. ARGV: sender, last_read_id, acked_at, maxEvents, notifyChannel
  hfAck: `${CMP_IDS}
local id = ARGV[2]
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local prev = string.match(cur, '^(%S+)')
  if prev and cmpid(prev, id) > 0 then id = prev end
end
redis.call('HSET', KEYS[1], ARGV[1], id .. ' ' .. ARGV[3])
local ev = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'type', 'ack', 's', ARGV[1], 'id', id, 'at', ARGV[3])
redis.call('PUBLISH', ARGV[5], ev)
return {'OK', id}
`,

  // KEYS: channels, meta, status, slog, events, team
  // ARGV: channel, key, value, by, at, encrypted, maxChannels, maxChanges, maxEvents, notify, record
  hfSetStatus: `${ENSURE_CHANNEL}
if ARGV[6] ~= '1' and redis.call('HGET', KEYS[6], 'encryption_required') == '1' then
  return {'ENCRYPTION_REQUIRED'}
end
if not ensure_channel(KEYS[1], KEYS[2], ARGV[1], ARGV[5], ARGV[7]) then return {'CHANNEL_LIMIT_REACHED'} end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[11])
local cid = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*', 'k', ARGV[2], 'v', ARGV[3], 'by', ARGV[4], 'at', ARGV[5])
local ev = redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[9], '*', 'type', 'status', 'cid', cid, 'k', ARGV[2], 'v', ARGV[3], 'by', ARGV[4], 'at', ARGV[5])
redis.call('HSET', KEYS[2], 'last_activity', ARGV[5])
redis.call('PUBLISH', ARGV[10], ev)
return {'OK', cid}
`,

  // KEYS: status, slog, events. ARGV: key, by, at, maxChanges, maxEvents, notify
  hfDeleteStatus: `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return {'STATUS_NOT_FOUND'} end
local cid = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'k', ARGV[1], 'v', '', 'by', ARGV[2], 'at', ARGV[3], 'd', '1')
local ev = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'type', 'status', 'cid', cid, 'k', ARGV[1], 'v', '', 'by', ARGV[2], 'at', ARGV[3], 'd', '1')
redis.call('PUBLISH', ARGV[6], ev)
return {'OK', cid}
`,

  // KEYS: team, key record, active key ids, all key ids
  // ARGV: key id, hash, sender, permissions JSON, created_at, (unused), maxKeys
  hfCreateKey: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'TEAM_NOT_FOUND'} end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[7]) then return {'KEY_LIMIT_REACHED'} end
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'hash', ARGV[2], 'sender', ARGV[3], 'permissions', ARGV[4], 'created_at', ARGV[5])
redis.call('SADD', KEYS[3], ARGV[1])
-- a per-team sequence, not the clock: keys made in the same millisecond still list in order
redis.call('ZADD', KEYS[4], redis.call('HINCRBY', KEYS[1], 'key_seq', 1), ARGV[1])
return {'OK'}
`,

  // KEYS: key record, active key ids. ARGV: key id, permissions JSON or '' to revoke
  hfUpdateKey: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'KEY_NOT_FOUND'} end
local revoked = redis.call('HGET', KEYS[1], 'revoked') == '1'
if ARGV[2] == '' then
  if not revoked then
    redis.call('HSET', KEYS[1], 'revoked', '1')
    redis.call('SREM', KEYS[2], ARGV[1])
  end
else
  if revoked then return {'KEY_NOT_FOUND'} end
  redis.call('HSET', KEYS[1], 'permissions', ARGV[2])
end
return {'OK', redis.call('HGET', KEYS[1], 'hash')}
`,

  // KEYS: one hash. ARGV: field, value. Never re-creates a key deleted meanwhile (a revoked lookup).
  hfSetIfExists: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'OK', '0'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {'OK', '1'}
`,

  // KEYS: seen marker, sync log, spaces. ARGV: base64 bytes, envelope id, maxLog, notify,
  //       header JSON, space, maxSpaces, marker TTL (s)
  hfPushEnvelope: `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'OK', ''} end
if redis.call('SISMEMBER', KEYS[3], ARGV[6]) == 0 then
  if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[7]) then return {'SYNC_LIMIT_REACHED'} end
  redis.call('SADD', KEYS[3], ARGV[6])
end
local cur = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'id', ARGV[2], 'h', ARGV[5], 'b', ARGV[1])
redis.call('SET', KEYS[1], cur, 'EX', ARGV[8])
redis.call('PUBLISH', ARGV[4], cur)
return {'OK', cur}
`,
} as const

export type ScriptName = keyof typeof SOURCES

// Run by EVALSHA (EVAL once when Redis does not know a script yet, e.g. after a restart), not via
// ioredis's defineCommand: every auto-pipeline batch builds a Pipeline that copies each defined
// script onto itself (three properties per script), a cost paid on nearly every request.
const SHAS = Object.fromEntries(
  Object.entries(SOURCES).map(([name, lua]) => [name, createHash('sha1').update(lua).digest('hex')]),
) as Record<ScriptName, string>

/** A script kept next to the store code that runs it (the pairing boxes), run with runScript. */
export interface Script {
  readonly lua: string
  readonly sha: string
}

export function defineScript(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') }
}

/** The ApiError of a script's refusal code. */
export function scriptError(code: string): ApiError {
  return new ApiError(code as ErrorCode, MESSAGES[code] ?? code)
}

/** Run a script; a non-'OK' first element becomes the matching ApiError (RETRY is returned). */
export async function runScript(
  redis: Redis,
  script: ScriptName | Script,
  keys: string[],
  args: Array<string | number | Buffer>,
): Promise<string[]> {
  const { lua, sha } = typeof script === 'string' ? { lua: SOURCES[script], sha: SHAS[script] } : script
  let reply: string[]
  try {
    reply = (await redis.evalsha(sha, keys.length, ...keys, ...args)) as string[]
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
    reply = (await redis.eval(lua, keys.length, ...keys, ...args)) as string[]
  }
  const status = reply[0]
  if (status === 'OK' || status === 'RETRY') return reply
  throw scriptError(String(status))
}

const MESSAGES: Record<string, string> = {
  ENCRYPTION_REQUIRED: 'This team requires end-to-end-encrypted content; plaintext is refused',
  THREAD_PARENT_NOT_FOUND: 'The message you are replying to does not exist',
  CHANNEL_LIMIT_REACHED: 'This team has reached its channel limit',
  MESSAGE_NOT_FOUND: 'Message not found',
  FORBIDDEN: 'Only the author or a channel admin may delete this message',
  CHANNEL_NOT_FOUND: 'Channel not found',
  STATUS_NOT_FOUND: 'Status key not found',
  KEY_LIMIT_REACHED: 'This team has reached its API key limit',
  KEY_NOT_FOUND: 'API key not found',
  TEAM_NOT_FOUND: 'Team not found',
  SYNC_LIMIT_REACHED: 'This relay team has reached its limit of Handoff teams to sync',
  RATE_LIMITED: 'Too many requests. Slow down.',
}
