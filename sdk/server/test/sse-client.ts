// A minimal SSE reader over a real socket (node:http), for the stream tests: it keeps every frame
// and comment exactly as sent, so tests check the wire format, not a library's interpretation.
import { get, type IncomingMessage } from 'node:http'

export interface Frame {
  id?: string
  event?: string
  data?: string
}

export interface SseConnection {
  status: number
  headers: IncomingMessage['headers']
  /** full raw text received so far */
  raw(): string
  frames: Frame[]
  comments: string[]
  /** resolves when the server ends the response */
  ended: Promise<void>
  waitFor(check: (c: SseConnection) => boolean, timeoutMs?: number, what?: string): Promise<void>
  close(): void
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let text = ''
      let buffer = ''
      const frames: Frame[] = []
      const comments: string[] = []
      let current: Frame = {}
      let endResolve: () => void = () => {}
      const ended = new Promise<void>((r) => {
        endResolve = r
      })
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        buffer += chunk
        const lines = buffer.split('\n')
        buffer = lines.pop() ?? ''
        for (const line of lines) {
          if (line === '') {
            if (Object.keys(current).length > 0) frames.push(current)
            current = {}
          } else if (line.startsWith(':')) comments.push(line.slice(1))
          else if (line.startsWith('id: ')) current.id = line.slice(4)
          else if (line.startsWith('event: ')) current.event = line.slice(7)
          else if (line.startsWith('data: ')) current.data = (current.data ?? '') + line.slice(6)
        }
      })
      res.on('end', endResolve)
      res.on('close', endResolve)
      const conn: SseConnection = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => text,
        frames,
        comments,
        ended,
        async waitFor(check, timeoutMs = 5000, what = 'condition') {
          const start = Date.now()
          while (!check(conn)) {
            if (Date.now() - start > timeoutMs)
              throw new Error(`timed out waiting for ${what}; got ${text.slice(-500)}`)
            await new Promise((r) => setTimeout(r, 10))
          }
        },
        close: () => {
          req.destroy()
          res.destroy()
        },
      }
      resolve(conn)
    })
    req.on('error', reject)
  })
}

/** Frames of one event type, data parsed. */
export function eventsOf(conn: SseConnection, type: string): Array<{ id?: string; data: any }> {
  return conn.frames
    .filter((f) => f.event === type)
    .map((f) => ({ id: f.id, data: JSON.parse(f.data ?? 'null') }))
}
