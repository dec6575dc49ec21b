// Acks: one hash per channel, sender -> "<last_read_id> <acked_at>". An ack never moves a
// sender's watermark backwards (as the seed); the compare-and-set runs in one script.
import type { Ack } from '../../sdk/api/types.js'
import type { StoreContext } from './context.js'
import { nowIso, parseCursor } from './ids.js'
import { keys } from './keys.js'
import { runScript } from './scripts.js'

export async function ack(
  ctx: StoreContext,
  teamId: string,
  channel: string,
  sender: string,
  lastReadId: string,
): Promise<Ack> {
  const id = parseCursor(lastReadId, 'last_read_id') ?? '0-0'
  const at = nowIso()
  const [, effective] = await runScript(
    ctx.redis,
    'hfAck',
    [keys.acks(teamId, channel), keys.events(teamId, channel)],
    [sender, id, at, ctx.limits.eventsPerChannel, keys.eventsNotify(teamId, channel)],
  )
  return { channel, sender, last_read_id: effective ?? id, acked_at: at }
}

export function parseAck(channel: string, sender: string, raw: string): Ack {
  const [last_read_id = '0-0', acked_at = ''] = raw.split(' ')
  return { channel, sender, last_read_id, acked_at }
}

export async function listAcks(ctx: StoreContext, teamId: string, channel: string): Promise<Ack[]> {
  const all = await ctx.redis.hgetall(keys.acks(teamId, channel))
  return Object.keys(all)
    .sort()
    .map((sender) => parseAck(channel, sender, all[sender] as string))
}
