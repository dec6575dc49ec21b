// Shared by the stream case modules: open a stream with the admin key, the message ids it got,
// and the SSE id of the event that carried a given message.
import { expect } from 'vitest'
import type { Fixture } from '../fixture.js'
import { openStream, type SseStream } from '../http.js'

/** long enough for a stray or duplicate event to arrive after the one a test waited for */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 400))

export function streamHelpers(f: Fixture) {
  const open = async (
    ch: string,
    query: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) => {
    const stream = await openStream(f.streamUrl(ch, { token: f.server.adminKey, ...query }), { headers })
    expect(stream.status, JSON.stringify(stream.body)).toBe(200)
    return stream
  }
  const messageIds = (stream: SseStream): string[] => stream.of('message').map((e) => e.json.id)
  /** the SSE id of the event whose data has this message id */
  const eventIdOf = async (stream: SseStream, messageId: string): Promise<string> => {
    const event = await stream.waitFor((e) => e.event === 'message' && e.json?.id === messageId)
    expect(event.id).toBeTypeOf('string')
    return event.id!
  }
  return { open, messageIds, eventIdOf }
}
