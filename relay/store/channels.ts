// Channels: a set of names per team and one metadata hash per channel. Creation (explicit, or
// implicit on the first post/status as in the seed) is limited to LIMITS.channelsPerTeam.
import type { Redis } from 'ioredis'
import type { Channel } from '../../sdk/api/types.js'
import { nowIso } from './ids.js'
import { channelKeys, keys, LIMITS } from './keys.js'
import { runScript } from './scripts.js'

function toChannel(name: string, meta: Record<string, string>, messageCount: number): Channel {
  return {
    name,
    description: meta.description ? meta.description : null,
    created_at: meta.created_at ?? '',
    message_count: messageCount,
    last_activity: meta.last_activity ?? null,
  }
}

export async function createChannel(
  redis: Redis,
  teamId: string,
  name: string,
  description: string | null,
  maxChannels: number = LIMITS.channelsPerTeam,
): Promise<{ channel: Channel; created: boolean }> {
  const [, created] = await runScript(
    redis,
    'hfCreateChannel',
    [keys.channels(teamId), keys.channelMeta(teamId, name)],
    [name, description ?? '', description === null ? '0' : '1', nowIso(), maxChannels],
  )
  const channel = await getChannel(redis, teamId, name)
  // deleted between the two calls: report what was created
  return { channel: channel ?? toChannel(name, { created_at: nowIso() }, 0), created: created === '1' }
}

export async function getChannel(redis: Redis, teamId: string, name: string): Promise<Channel | null> {
  const [[, member], [, meta], [, count]] = (await redis
    .pipeline()
    .sismember(keys.channels(teamId), name)
    .hgetall(keys.channelMeta(teamId, name))
    .xlen(keys.messages(teamId, name))
    .exec()) as [[unknown, number], [unknown, Record<string, string>], [unknown, number]]
  if (member !== 1) return null
  return toChannel(name, meta, count)
}

export async function listChannels(redis: Redis, teamId: string): Promise<Channel[]> {
  const names = (await redis.smembers(keys.channels(teamId))).sort()
  if (names.length === 0) return []
  const pipe = redis.pipeline()
  for (const name of names) pipe.hgetall(keys.channelMeta(teamId, name)).xlen(keys.messages(teamId, name))
  const results = (await pipe.exec()) ?? []
  return names.map((name, i) =>
    toChannel(
      name,
      (results[2 * i]?.[1] as Record<string, string>) ?? {},
      (results[2 * i + 1]?.[1] as number) ?? 0,
    ),
  )
}

export async function deleteChannel(redis: Redis, teamId: string, name: string): Promise<void> {
  // The thread streams are named by parent id, so they are read first and passed as keys; the
  // script refuses (RETRY) if a thread was started in between, and we read again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const parents = await redis.smembers(keys.threads(teamId, name))
    const all = [keys.channels(teamId), keys.threads(teamId, name)]
    for (const k of channelKeys(teamId, name)) if (k !== keys.threads(teamId, name)) all.push(k)
    for (const p of parents) all.push(keys.thread(teamId, name, p))
    const [status] = await runScript(redis, 'hfDeleteChannel', all, [name, parents.length])
    if (status === 'OK') return
  }
  throw new Error('channel delete kept racing with new threads')
}
