// A tiny text/event-stream reader for the suite: it keeps every event with the `id:` of its own
// block (not an inherited one, so "every event carries an id" can be checked), every comment
// with its arrival time, and lets a test wait for events or for the server to end the stream.

export interface SseEvent {
  /** the id field of this event's block, undefined when the block had none */
  id: string | undefined
  /** the event field, "message" when absent (as EventSource does) */
  event: string
  data: string
  receivedAt: number
}

type Waiter = () => void

const open = new Set<SseStream>()

export class SseStream {
  readonly events: SseEvent[] = []
  readonly comments: Array<{ text: string; receivedAt: number }> = []
  readonly openedAt = Date.now()
  ended = false
  /** the stream's text as received (the first MiB), for wire-format checks */
  raw = ''
  /** parsed JSON error body when the server refused the stream */
  body: any
  private waiters = new Set<Waiter>()
  private buffer = ''
  private block: { id?: string; event?: string; data: string[] } = { data: [] }

  constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly controller: AbortController,
  ) {}

  /** events of one type, with their data parsed as JSON */
  of(type: string): Array<SseEvent & { json: any }> {
    return this.events.filter((e) => e.event === type).map((e) => ({ ...e, json: JSON.parse(e.data) }))
  }

  /** Resolves with the first event (already received or coming) that matches, or rejects on timeout. */
  async waitFor(
    match: (event: SseEvent & { json: any }) => boolean,
    timeoutMs = 5000,
  ): Promise<SseEvent & { json: any }> {
    let found: (SseEvent & { json: any }) | undefined
    await this.until(() => {
      found = this.events.map((e) => ({ ...e, json: safeJson(e.data) })).find((e) => match(e))
      return found !== undefined
    }, timeoutMs)
    return found!
  }

  /** Resolves once `count` events of `type` arrived. */
  async waitForCount(
    type: string,
    count: number,
    timeoutMs = 5000,
  ): Promise<Array<SseEvent & { json: any }>> {
    await this.until(() => this.events.filter((e) => e.event === type).length >= count, timeoutMs)
    return this.of(type)
  }

  /** Resolves when the server ends the stream; rejects if it is still open after `timeoutMs`. */
  waitForEnd(timeoutMs = 5000): Promise<void> {
    return this.until(() => this.ended, timeoutMs)
  }

  /** Resolves when a comment arrives after `since` (ms epoch). */
  waitForComment(since: number, timeoutMs: number): Promise<void> {
    return this.until(() => this.comments.some((c) => c.receivedAt > since), timeoutMs)
  }

  close(): void {
    this.ended = true
    this.controller.abort()
    open.delete(this)
    this.notify()
  }

  private until(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!done()) return
        clearTimeout(timer)
        this.waiters.delete(waiter)
        resolve()
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        reject(new Error(`stream: condition not met in ${timeoutMs} ms; got ${this.describe()}`))
      }, timeoutMs)
      this.waiters.add(waiter)
    })
  }

  private describe(): string {
    const events = this.events.map((e) => `${e.event}#${e.id ?? '-'}`).join(', ')
    return `[${events}]${this.ended ? ' (ended)' : ''}`
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter()
  }

  /** @internal */
  feed(chunk: string): void {
    if (this.raw.length < 1024 * 1024) this.raw += chunk
    this.buffer += chunk
    let newline = this.buffer.search(/\r\n|\n|\r/)
    while (newline !== -1) {
      // a lone trailing \r may be the first half of \r\n: wait for more
      if (this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break
      const line = this.buffer.slice(0, newline)
      const skip = this.buffer.startsWith('\r\n', newline) ? 2 : 1
      this.buffer = this.buffer.slice(newline + skip)
      this.line(line)
      newline = this.buffer.search(/\r\n|\n|\r/)
    }
    this.notify()
  }

  /** @internal */
  end(): void {
    this.ended = true
    open.delete(this)
    this.notify()
  }

  private line(line: string): void {
    if (line === '') {
      const block = this.block
      this.block = { data: [] }
      if (block.data.length === 0 && block.event === undefined && block.id === undefined) return
      this.events.push({
        id: block.id,
        event: block.event ?? 'message',
        data: block.data.join('\n'),
        receivedAt: Date.now(),
      })
      return
    }
    if (line.startsWith(':')) {
      this.comments.push({ text: line.slice(1), receivedAt: Date.now() })
      return
    }
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.block.data.push(value)
    else if (field === 'event') this.block.event = value
    else if (field === 'id') this.block.id = value
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Opens a stream. The promise resolves once the response head arrived (within `timeoutMs`);
 * a refused stream (status other than 200) has its JSON error in `body` and is already ended.
 */
export async function openStream(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<SseStream> {
  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new Error('no stream response head in time')),
    options.timeoutMs ?? 10_000,
  )
  let res: Response
  try {
    res = await fetch(url, {
      headers: { accept: 'text/event-stream', ...options.headers },
      signal: controller.signal,
    })
  } finally {
    clearTimeout(timer)
  }
  const stream = new SseStream(res.status, res.headers, controller)
  if (res.status !== 200 || !res.body) {
    const text = await res.text()
    stream.body = safeJson(text)
    stream.end()
    return stream
  }
  open.add(stream)
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        stream.feed(decoder.decode(value, { stream: true }))
      }
    } catch {
      // aborted by close() or the connection dropped: both end the stream
    }
    stream.end()
  })()
  return stream
}

/** Closes every stream still open (called after each test so none leaks into the next). */
export function closeAllStreams(): void {
  for (const stream of [...open]) stream.close()
}
