// Pairing boxes (docs/relay.md, "Pairing boxes"): two append-only lists of opaque frames per box,
// one per side, through which a joining node and its inviter talk when they cannot reach each
// other peer to peer. A box exists only once a relay team opened it (the inviting node, with its
// key, for one invite): frames written to any other address are refused before anything is
// stored, and what a box holds counts against the team that opened it (pair-teams.ts), with a
// per-client-IP budget as a second line. The relay learns nothing from the frames: the address
// is a keyed hash of the invite secret and every frame is sealed with keys derived from it.
import type { Redis } from 'ioredis'
import { ApiError } from '../../sdk/api/errors.js'
import {
  PAIR_BOX_MAX_BYTES,
  PAIR_FRAMES_MAX,
  PAIR_IP_MAX_BYTES,
  PAIR_IP_WINDOW_MS,
  type PairFramePage,
  type PairSide,
} from '../../sdk/api/pair-box.js'
import { ownerKey, PairTeams } from './pair-teams.js'
import { defineScript, runScript } from './scripts.js'

// Run by EVALSHA through the store's script runner (scripts.ts); each answers {'OK', n}.

// One script so the owner check, the byte budget check, the appends and the TTLs are atomic.
// The frames, the byte counter and the owner share the `{box}` hash tag: one Cluster slot. The
// frames expire with the box (the owner key's TTL). n: frames added; -1: the side is full;
// -2: the box is not open (any more).
const APPEND = defineScript(`
local ttl = redis.call('PTTL', KEYS[3])
if ttl <= 0 then return {'OK', -2} end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
local add = tonumber(ARGV[1])
if used + add > tonumber(ARGV[2]) then return {'OK', -1} end
redis.call('INCRBY', KEYS[2], add)
for i = 3, #ARGV do redis.call('XADD', KEYS[1], '*', 'f', ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return {'OK', #ARGV - 2}
`)

// A client's byte budget across all boxes: its own key (another slot than any box), counted
// before the append; the window starts with the first write. n: 0, or ms until the window ends
// once the budget is spent.
const CHARGE = defineScript(`
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if used > tonumber(ARGV[2]) then return {'OK', redis.call('PTTL', KEYS[1])} end
return {'OK', 0}
`)

const framesKey = (box: string, side: PairSide) => `hf:pair:{${box}}:${side}`
const bytesKey = (box: string, side: PairSide) => `hf:pair:{${box}}:${side}:bytes`
const notFound = () => new ApiError('NOT_FOUND', 'No such pairing box')

export class PairBoxes {
  private readonly teams: PairTeams

  constructor(private readonly redis: Redis) {
    this.teams = new PairTeams(redis)
  }

  /** Opens (or renews) `box` for relay team `team` until `expiresAt` (ms). */
  open(team: string, box: string, expiresAt: number): Promise<void> {
    return this.teams.open(team, box, expiresAt)
  }

  /** Deletes `box` and its frames; NOT_FOUND unless `team` opened it. */
  async close(team: string, box: string): Promise<void> {
    if ((await this.teams.ownerOf(box)) !== team) throw notFound()
    await this.redis.del(
      ownerKey(box),
      framesKey(box, 'j'),
      framesKey(box, 'i'),
      bytesKey(box, 'j'),
      bytesKey(box, 'i'),
    )
    await this.teams.release(team, box)
  }

  /**
   * Appends base64 frames in order; NOT_FOUND unless the box is open, BODY_TOO_LARGE once the
   * side's or the opening team's byte budget is spent, RATE_LIMITED once the writing client's
   * (`client`: its IP) is.
   */
  async append(box: string, side: PairSide, frames: string[], client: string): Promise<number> {
    // first, so writes to a box nobody opened store nothing, not even a counter
    const team = await this.teams.ownerOf(box)
    if (team === null) throw notFound()
    const bytes = frames.reduce((n, f) => n + f.length, 0)
    const [, charged] = await runScript(
      this.redis,
      CHARGE,
      [`hf:pair:client:${client}`],
      [bytes, PAIR_IP_MAX_BYTES, PAIR_IP_WINDOW_MS],
    )
    const wait = Number(charged)
    if (wait !== 0) {
      throw new ApiError('RATE_LIMITED', 'Too much written into pairing boxes. Slow down.', {
        retryAfter: Math.max(1, Math.ceil(wait / 1000)),
      })
    }
    if (!(await this.teams.charge(team, box, bytes)))
      throw new ApiError('BODY_TOO_LARGE', "the pairing boxes of this box's team are full")
    const [, appended] = await runScript(
      this.redis,
      APPEND,
      [framesKey(box, side), bytesKey(box, side), ownerKey(box)],
      [bytes, PAIR_BOX_MAX_BYTES, ...frames],
    )
    const added = Number(appended)
    if (added === -2) throw notFound()
    if (added < 0) throw new ApiError('BODY_TOO_LARGE', 'this pairing box is full')
    return added
  }

  /** Frames after `after` ('0' for all), oldest first; NOT_FOUND unless the box is open. */
  async read(box: string, side: PairSide, after: string): Promise<PairFramePage> {
    const start = after === '0' ? '-' : `(${after}`
    // one round trip: both keys are in the box's slot
    const [[e1, open], [e2, range]] = (await this.redis
      .multi()
      .exists(ownerKey(box))
      .xrange(framesKey(box, side), start, '+', 'COUNT', PAIR_FRAMES_MAX)
      .exec()) as [[Error | null, number], [Error | null, Array<[string, string[]]>]]
    if (e1 || e2) throw e1 ?? e2
    if (open !== 1) throw notFound()
    const frames = range.map(([cursor, fields]) => ({ cursor, data: fields[1] ?? '' }))
    return { frames, next_after: frames.at(-1)?.cursor ?? after }
  }
}
