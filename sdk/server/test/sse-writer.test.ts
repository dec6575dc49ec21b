// SseWriter on a real HTTP socket: lazy headers, JSON failure before start, error event after,
// back-pressure (waits for drain) and dropping a client that stops reading.
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { ApiError } from '../../api/errors.js'
import type { Message, StreamEvent } from '../../api/types.js'
import { SseWriter } from '../sse.js'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((r) => server?.close(r) ?? r(undefined))
  server = undefined
})

async function serve(onResponse: (res: ServerResponse) => void): Promise<string> {
  server = createServer((_req, res) => onResponse(res))
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

const request = (url: string) =>
  new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject))
const readAll = async (res: IncomingMessage) => {
  let text = ''
  for await (const chunk of res) text += chunk
  return text
}

const message = (id: string, content = 'x'): StreamEvent => ({
  type: 'message',
  id,
  data: {
    id,
    channel: 'c',
    sender: 's',
    content,
    mention: null,
    thread_id: null,
    reply_count: 0,
    created_at: '2026-01-01T00:00:00.000Z',
  } satisfies Message,
})

const opts = { heartbeatMs: 60_000, maxBufferedBytes: 1024 * 1024, padding: false }

it('answers a failure before the first event as plain JSON with its status', async () => {
  const url = await serve((res) =>
    new SseWriter(res, opts).fail(new ApiError('SSE_LIMIT_REACHED', 'too many', { retryAfter: 5 })),
  )
  const res = await request(url)
  expect(res.statusCode).toBe(429)
  expect(res.headers['retry-after']).toBe('5')
  expect(JSON.parse(await readAll(res))).toEqual({ error: 'too many', code: 'SSE_LIMIT_REACHED' })
})

it('writes events with ids and ends with an error event carrying the last id', async () => {
  const url = await serve(async (res) => {
    const writer = new SseWriter(res, opts)
    await writer.send(message('1-0'))
    await writer.send({ ...message('2-0'), id: 'bad\nid' })
    writer.fail(new ApiError('FORBIDDEN', 'no'))
  })
  const res = await request(url)
  expect(res.statusCode).toBe(200)
  const text = await readAll(res)
  expect(text.startsWith(':ok\n\n')).toBe(true)
  expect(text).toContain('id: 1-0\nevent: message\ndata: {"id":"1-0"')
  // an id with a line break is dropped rather than corrupting the stream
  expect(text).toContain('\n\nevent: message\ndata: {"id":"2-0"')
  expect(text.endsWith('id: 1-0\nevent: error\ndata: {"error":"no","code":"FORBIDDEN"}\n\n')).toBe(true)
})

it('waits for drain, and drops a client that stops reading instead of buffering without bound', async () => {
  let writer: SseWriter | undefined
  let reason = ''
  let pending = 0
  const url = await serve((res) => {
    writer = new SseWriter(res, { ...opts, maxBufferedBytes: 256 * 1024 })
    writer.onClose((r) => {
      reason = r
    })
    writer.start()
  })
  const res = await request(url)
  res.pause() // a client that never reads
  const big = 'x'.repeat(16 * 1024)
  const start = Date.now()
  let i = 0
  while (!writer?.isEnded && Date.now() - start < 10_000) {
    // like a store that ignores back-pressure: keep sending without awaiting
    const p = writer?.send(message(`${++i}-0`, big))
    pending++
    p?.then(() => pending--)
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1))
  }
  expect(writer?.isEnded).toBe(true)
  expect(reason).toBe('client too slow')
  // every pending send settles once the client is dropped
  await new Promise((r) => setTimeout(r, 50))
  expect(pending).toBe(0)
  res.destroy()
})

it('resolves send only after drain when the socket is full', async () => {
  let writer: SseWriter | undefined
  const url = await serve((res) => {
    writer = new SseWriter(res, opts)
    writer.start()
  })
  const res = await request(url)
  res.pause()
  const big = 'y'.repeat(64 * 1024)
  let settled = false
  let n = 0
  // fill the socket until a send must wait
  for (;;) {
    const p = writer?.send(message(`${++n}-0`, big))
    const state = await Promise.race([
      p?.then(() => 'done'),
      new Promise((r) => setTimeout(() => r('waiting'), 20)),
    ])
    if (state === 'waiting') {
      p?.then(() => {
        settled = true
      })
      break
    }
  }
  expect(settled).toBe(false)
  res.resume()
  const start = Date.now()
  while (!settled && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10))
  expect(settled).toBe(true)
  expect(writer?.isEnded).toBe(false)
  res.destroy()
})
