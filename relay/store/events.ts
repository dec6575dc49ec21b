// Channel event streams: every write of a channel appends to its `events` stream (ids = SSE
// event ids; a message event has the message's own id) and PUBLISHes a wake-up; the SSE route
// follows it through the instance's StreamFollower (follower.ts): replay after Last-Event-ID,
// then live, each event once and in order.
import type { StreamSubscription } from '../../sdk/api/store.js'
import type { StreamEvent } from '../../sdk/api/types.js'
import type { StoreContext } from './context.js'
import type { FeedSpec, StreamFollower } from './follower.js'
import { parseCursor } from './ids.js'
import { keys } from './keys.js'
import { toMessage } from './messages.js'
import { toStatusChange } from './status.js'

export function toEvent(channel: string, id: string, f: Record<string, string>): StreamEvent | null {
  switch (f.type) {
    case 'message':
      return { type: 'message', id, data: toMessage(channel, id, f) }
    case 'delete':
      return {
        type: 'delete',
        id,
        data: { id: f.mid ?? '', channel, thread_id: f.t ? f.t : null, deleted_by: f.by ?? '' },
      }
    case 'status':
      return { type: 'status', id, data: toStatusChange(channel, f.cid ?? id, f) }
    case 'ack':
      return {
        type: 'ack',
        id,
        data: { channel, sender: f.s ?? '', last_read_id: f.id ?? '', acked_at: f.at ?? '' },
      }
    default:
      return null
  }
}

/** The channel event stream of the SSE route. */
export async function subscribeChannel(
  ctx: StoreContext,
  follower: StreamFollower,
  teamId: string,
  channel: string,
  lastEventId: string | null,
  onEvent: (event: StreamEvent) => void | Promise<void>,
  onError?: (err: Error) => void,
): Promise<StreamSubscription> {
  const from = parseCursor(lastEventId, 'last_event_id')
  const spec: FeedSpec<StreamEvent> = {
    stream: keys.events(teamId, channel),
    notify: keys.eventsNotify(teamId, channel),
    parse: (id, fields) => toEvent(channel, id, fields),
    async enrich(events) {
      const messages = events.flatMap((e) => (e.type === 'message' ? [e.data] : []))
      if (messages.length === 0) return
      const counts = await ctx.redis.hmget(keys.replyCounts(teamId, channel), ...messages.map((m) => m.id))
      messages.forEach((m, i) => {
        const n = Number(counts[i] ?? 0)
        if (n > 0) m.reply_count = n
      })
    },
  }
  return follower.follow(spec, from, onEvent, onError)
}
