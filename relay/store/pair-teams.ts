// Which relay team opened which pairing box, and what its open boxes hold (docs/relay.md,
// "Pairing boxes"). Two slots on a Redis Cluster, each changed by one atomic script:
//   hf:pair:{<box>}:owner         the opening team's id, expiring with the box (the box's slot)
//   hf:pair:team:{<team>}:boxes   zset box -> expiry ms (the team's slot)
//   hf:pair:team:{<team>}:bytes   hash box -> bytes written into it, both sides
// The team keys expire with the team's last box; expired boxes are pruned on every use, so a
// box that was never closed stops counting once its invite has expired.
import type { Redis } from 'ioredis'
import { ApiError } from '../../sdk/api/errors.js'
import { PAIR_TEAM_MAX_BOXES, PAIR_TEAM_MAX_BYTES } from '../../sdk/api/pair-box.js'
import { defineScript, runScript, type Script } from './scripts.js'

export const ownerKey = (box: string) => `hf:pair:{${box}}:owner`
const boxesKey = (team: string) => `hf:pair:team:{${team}}:boxes`
const bytesKey = (team: string) => `hf:pair:team:{${team}}:bytes`

// KEYS: boxes, bytes. ARGV: now. Drops expired boxes and their byte counts.
const PRUNE = `
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #gone > 0 then
  redis.call('ZREM', KEYS[1], unpack(gone))
  redis.call('HDEL', KEYS[2], unpack(gone))
end
`
// the team keys live as long as the team's longest-lived box
const KEEP = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last == 2 then
  redis.call('PEXPIREAT', KEYS[1], last[2])
  redis.call('PEXPIREAT', KEYS[2], last[2])
end
`

// Run by EVALSHA through the store's script runner (scripts.ts); each answers {'OK', n}.

// ARGV: now, box, expiry ms, max boxes. n: 0, or -1: the team has too many boxes open.
const TEAM_OPEN = defineScript(`${PRUNE}
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return {'OK', -1}
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
${KEEP}
return {'OK', 0}
`)

// ARGV: now, box, bytes, max bytes. n: 0, -1: over the team's budget, -2: the box is not the team's.
const TEAM_CHARGE = defineScript(`${PRUNE}
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return {'OK', -2} end
local used = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do used = used + tonumber(v) end
if used + tonumber(ARGV[3]) > tonumber(ARGV[4]) then return {'OK', -1} end
redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
${KEEP}
return {'OK', 0}
`)

// ARGV: now, box.
const TEAM_CLOSE = defineScript(`${PRUNE}
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
return {'OK', 0}
`)

// KEYS: owner. ARGV: team, ttl ms. n: 1: set (or renewed by the same team), 0: another team's.
const OWN = defineScript(`
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return {'OK', 0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'OK', 1}
`)

export class PairTeams {
  constructor(private readonly redis: Redis) {}

  private async team(script: Script, team: string, ...args: Array<string | number>): Promise<number> {
    const [, n] = await runScript(this.redis, script, [boxesKey(team), bytesKey(team)], [Date.now(), ...args])
    return Number(n)
  }

  /** Opens (or renews) `box` for `team` until `expiresAt` (ms). */
  async open(team: string, box: string, expiresAt: number): Promise<void> {
    const ttl = expiresAt - Date.now()
    if ((await this.team(TEAM_OPEN, team, box, expiresAt, PAIR_TEAM_MAX_BOXES)) < 0) {
      throw new ApiError('PAIR_LIMIT_REACHED', `at most ${PAIR_TEAM_MAX_BOXES} pairing boxes open per team`)
    }
    const [, owned] = await runScript(this.redis, OWN, [ownerKey(box)], [team, ttl])
    if (Number(owned) === 0) {
      // the count taken above is given back: the box stays the other team's
      await this.team(TEAM_CLOSE, team, box)
      throw new ApiError('FORBIDDEN', 'This pairing box was opened by another team')
    }
  }

  /** The team that opened `box`, or null when nobody did (or it expired). */
  ownerOf(box: string): Promise<string | null> {
    return this.redis.get(ownerKey(box))
  }

  /** Counts `bytes` written into `box` against its team; false once the team's budget is spent. */
  async charge(team: string, box: string, bytes: number): Promise<boolean> {
    const r = await this.team(TEAM_CHARGE, team, box, bytes, PAIR_TEAM_MAX_BYTES)
    if (r === -2) throw new ApiError('NOT_FOUND', 'No such pairing box')
    return r === 0
  }

  /** Forgets `box` on the team's side (its keys are deleted by the caller). */
  async release(team: string, box: string): Promise<void> {
    await this.team(TEAM_CLOSE, team, box)
  }
}
