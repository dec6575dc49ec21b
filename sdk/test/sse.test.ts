// The client's SSE reader: events split across arbitrary chunk boundaries come out whole and in
// order, async handlers are awaited before the next event (back-pressure), and a hostile stream
// that never ends an event is refused instead of growing memory.
import { describe, expect, it } from 'vitest'
import { readEventStream, type SseEvent, StreamIdleError } from '../client/sse.js'

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    },
  })
}

const WIRE =
  `:${'_'.repeat(64)}\n:ok\n\n` +
  'id: 1-0\nevent: message\ndata: {"id":"1-0","content":"héllo"}\n\n' +
  ':keepalive\n\n' +
  'id: 2-0\nevent: status\ndata: {"key":"build"}\n\n' +
  'retry: 1500\n\n' +
  'id: 3-0\ndata: line one\ndata: line two\n\n'

describe('readEventStream', () => {
  it('parses events whatever the chunking, comments and retry included', async () => {
    for (const size of [1, 3, 7, 64, WIRE.length]) {
      const chunks: string[] = []
      for (let i = 0; i < WIRE.length; i += size) chunks.push(WIRE.slice(i, i + size))
      const events: SseEvent[] = []
      let retry: number | undefined
      await readEventStream(streamOf(chunks), {
        onEvent: (e) => {
          events.push(e)
        },
        onRetry: (ms) => {
          retry = ms
        },
      })
      expect(events).toEqual([
        { id: '1-0', event: 'message', data: '{"id":"1-0","content":"héllo"}' },
        { id: '2-0', event: 'status', data: '{"key":"build"}' },
        { id: '3-0', event: undefined, data: 'line one\nline two' },
      ])
      expect(retry).toBe(1500)
    }
  })

  it('waits for an async handler before delivering the next event', async () => {
    const order: string[] = []
    await readEventStream(streamOf(['id: a\ndata: 1\n\nid: b\ndata: 2\n\n']), {
      onEvent: async (e) => {
        order.push(`start ${e.id}`)
        await new Promise((r) => setTimeout(r, 20))
        order.push(`end ${e.id}`)
      },
    })
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b'])
  })

  it('rejects an event larger than the limit instead of buffering it', async () => {
    const huge = `data: ${'x'.repeat(5 * 1024 * 1024)}`
    await expect(readEventStream(streamOf([huge]), { onEvent: () => undefined })).rejects.toThrow(
      /max buffer size/,
    )
  })

  it('gives up on a stream that goes silent, heartbeats keeping it alive', async () => {
    const encoder = new TextEncoder()
    let beats = 0
    let timer: NodeJS.Timeout | undefined
    const silentAfterThreeBeats = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => {
          if (beats++ < 3) controller.enqueue(encoder.encode(':keepalive\n\n'))
        }, 50)
      },
      cancel() {
        clearInterval(timer)
      },
    })
    const started = Date.now()
    await expect(
      readEventStream(silentAfterThreeBeats, { onEvent: () => undefined, idleTimeoutMs: 120 }),
    ).rejects.toBeInstanceOf(StreamIdleError)
    expect(Date.now() - started).toBeGreaterThanOrEqual(150) // the heartbeats did count
    clearInterval(timer)
  })
})
