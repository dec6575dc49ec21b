// Pairing boxes (docs/relay.md, "Pairing boxes"): two append-only lists of opaque frames per box,
// one per side, through which a joining node and its inviter talk when they cannot reach each
// other peer to peer. The relay learns nothing from them: the address is a keyed hash of the
// invite secret and every frame is sealed with keys derived from it (node/bridge/pipe.ts). What
// the relay bounds is cost: frame size, bytes per side, and a TTL renewed by each write.
import type { Redis } from 'ioredis'
import { ApiError } from '../../sdk/api/errors.js'
import {
  PAIR_BOX_MAX_BYTES,
  PAIR_BOX_TTL_MS,
  PAIR_FRAMES_MAX,
  PAIR_IP_MAX_BYTES,
  type PairFramePage,
  type PairSide,
} from '../../sdk/api/pair-box.js'

// One script so the byte budget check, the appends and the TTLs are atomic. The frames and the
// byte counter share the `{box}` hash tag: one slot on a Redis Cluster.
const APPEND = `
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
local add = tonumber(ARGV[1])
if used + add > tonumber(ARGV[2]) then return -1 end
redis.call('INCRBY', KEYS[2], add)
for i = 4, #ARGV do redis.call('XADD', KEYS[1], '*', 'f', ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return #ARGV - 3
`

// A client's byte budget across all boxes: its own key (another slot than any box), counted
// before the append; the window starts with the first write and lasts a box's lifetime.
const CHARGE = `
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if used > tonumber(ARGV[2]) then return redis.call('PTTL', KEYS[1]) end
return 0
`

const framesKey = (box: string, side: PairSide) => `hf:pair:{${box}}:${side}`
const bytesKey = (box: string, side: PairSide) => `hf:pair:{${box}}:${side}:bytes`

export class PairBoxes {
  constructor(private readonly redis: Redis) {}

  /**
   * Appends base64 frames in order; BODY_TOO_LARGE once the side's byte budget is spent,
   * RATE_LIMITED once the writing client's (`client`: its IP) is.
   */
  async append(box: string, side: PairSide, frames: string[], client: string): Promise<number> {
    const bytes = frames.reduce((n, f) => n + f.length, 0)
    const wait = (await this.redis.eval(
      CHARGE,
      1,
      `hf:pair:client:${client}`,
      String(bytes),
      String(PAIR_IP_MAX_BYTES),
      String(PAIR_BOX_TTL_MS),
    )) as number
    if (wait !== 0) {
      throw new ApiError('RATE_LIMITED', 'Too much written into pairing boxes. Slow down.', {
        retryAfter: Math.max(1, Math.ceil(wait / 1000)),
      })
    }
    const added = (await this.redis.eval(
      APPEND,
      2,
      framesKey(box, side),
      bytesKey(box, side),
      String(bytes),
      String(PAIR_BOX_MAX_BYTES),
      String(PAIR_BOX_TTL_MS),
      ...frames,
    )) as number
    if (added < 0) throw new ApiError('BODY_TOO_LARGE', 'this pairing box is full')
    return added
  }

  /** Frames after `after` ('0' for all), oldest first. */
  async read(box: string, side: PairSide, after: string): Promise<PairFramePage> {
    const start = after === '0' ? '-' : `(${after}`
    const entries = (await this.redis.xrange(
      framesKey(box, side),
      start,
      '+',
      'COUNT',
      PAIR_FRAMES_MAX,
    )) as Array<[string, string[]]>
    const frames = entries.map(([cursor, fields]) => ({ cursor, data: fields[1] ?? '' }))
    return { frames, next_after: frames.at(-1)?.cursor ?? after }
  }
}
