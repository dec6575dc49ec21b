// Catching up on one relay channel's event stream (GET /api/channels/{ch}/stream with
// ?last_event_id=): the only record the relay keeps of a message delete. The stream replays
// what follows the cursor and then stays open for live events; the bridge only wants the replay,
// so it reads until the stream is quiet for a moment and closes it. Stopping early never loses
// an event: the cursor moves only over events read, and the next poll resumes from it.
import { errorFromResponse } from '../../sdk/client/errors.js'
import { jsonBody } from '../../sdk/client/http.js'
import { readEventStream, StreamIdleError } from '../../sdk/client/sse.js'

/** the replay arrives in one burst; this much silence after it means caught up */
const QUIET_MS = 250
/** at most this many events per read: the rest wait for the next poll */
const MAX_EVENTS = 500

export interface ChannelEvent {
  id: string
  type: string
  data: Record<string, unknown>
}

export async function readChannelEvents(
  url: string,
  key: string,
  channel: string,
  after: string,
  signal: AbortSignal,
): Promise<ChannelEvent[]> {
  const controller = new AbortController()
  const abort = () => controller.abort()
  signal.addEventListener('abort', abort, { once: true })
  const events: ChannelEvent[] = []
  try {
    const res = await fetch(
      `${url.replace(/\/+$/, '')}/api/channels/${channel}/stream?last_event_id=${encodeURIComponent(after)}`,
      {
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(20_000)]),
      },
    )
    // a refusal is the SDK's typed error (status, code), as every other relay call of the bridge
    if (!res.ok || !res.body)
      throw errorFromResponse(res.status, await jsonBody(res), res.headers.get('retry-after'))
    await readEventStream(res.body, {
      idleTimeoutMs: QUIET_MS,
      onEvent: (e) => {
        if (!e.id || events.length >= MAX_EVENTS) return
        try {
          events.push({ id: e.id, type: e.event ?? 'message', data: JSON.parse(e.data) })
        } catch {
          // not JSON: not an event the bridge reads
        }
        if (events.length >= MAX_EVENTS) controller.abort()
      },
    }).catch((err) => {
      if (!(err instanceof StreamIdleError) && !controller.signal.aborted) throw err
    })
    return events
  } finally {
    signal.removeEventListener('abort', abort)
    controller.abort()
  }
}
