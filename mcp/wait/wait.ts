// wait_for_messages: block on the channels' SSE streams until a message for the caller arrives
// or the timeout passes. Race-free: each channel's stream is connected first, then a catch-up
// read from the channel's cursor finds whatever was posted before the stream was up. Cursors
// live for the server's lifetime, so consecutive waits miss nothing posted between them.
import type { Message } from '../../sdk/api/types.js'
import type { HandoffBackend } from '../backend.js'
import { ChannelCollector, type WakeFilter } from './select.js'

export interface WaitOptions {
  channels: string[]
  filter: WakeFilter
  timeoutMs: number
  /** per-channel cursors kept between calls (mutated) */
  cursors: Map<string, string>
  signal?: AbortSignal | undefined
}

export interface WaitResult {
  messages: Message[]
  timed_out: boolean
  waited_ms: number
  channels: string[]
}

/** After the first match, gather what else arrives in the same burst before returning. */
const SETTLE_MS = 150
/** A catch-up read pages at most this many times; a longer backlog is for read_messages. */
const MAX_CATCH_UP_PAGES = 10

async function latestId(backend: HandoffBackend, channel: string): Promise<string> {
  const page = await backend.read(channel, { limit: 1 })
  // '0' reads from the beginning, so an empty channel's first message is not missed.
  return page.messages.at(-1)?.id ?? '0'
}

async function catchUp(backend: HandoffBackend, collector: ChannelCollector, from: string): Promise<void> {
  let after = from
  for (let i = 0; i < MAX_CATCH_UP_PAGES; i++) {
    const page = await backend.read(collector.channel, { after_id: after, limit: 100 })
    collector.addCaughtUp(page.messages)
    if (!page.has_more || page.messages.length === 0) return
    after = page.next_after_id
  }
}

export async function waitForMessages(backend: HandoffBackend, options: WaitOptions): Promise<WaitResult> {
  const started = Date.now()
  const channels = [...new Set(options.channels)]
  // Starting cursors first: this also fails fast on a bad name or a channel the key cannot read.
  const starts = await Promise.all(
    channels.map(async (ch) => options.cursors.get(ch) ?? latestId(backend, ch)),
  )
  const collectors = channels.map((ch) => new ChannelCollector(ch, options.filter))
  const stop = new AbortController()
  let wake: () => void = () => {}
  const woken = new Promise<void>((resolve) => {
    wake = resolve
  })
  let failure: Error | undefined
  const fail = (err: Error) => {
    failure ??= err
    wake()
  }
  const anyMatch = () => collectors.some((c) => c.matches.length > 0)
  options.signal?.addEventListener('abort', wake)
  const timer = setTimeout(wake, Math.max(0, options.timeoutMs))
  try {
    const watching = Promise.all(
      collectors.map((c) =>
        backend.watch(
          c.channel,
          (m) => {
            c.addLive(m)
            if (c.matches.length > 0) wake()
          },
          fail,
          stop.signal,
        ),
      ),
    )
    // The timeout also bounds connecting: a stream that cannot open in time still gets the
    // catch-up read below, which alone finds everything posted since the cursor.
    await Promise.race([watching.catch(fail), woken])
    if (failure) throw failure
    await Promise.all(collectors.map((c, i) => catchUp(backend, c, starts[i] ?? '0')))
    if (!anyMatch()) await woken
    if (failure && !anyMatch()) throw failure
    if (anyMatch() && !options.signal?.aborted) await new Promise((r) => setTimeout(r, SETTLE_MS))
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', wake)
    stop.abort()
  }
  collectors.forEach((c, i) => {
    options.cursors.set(c.channel, c.cursor() ?? starts[i] ?? '0')
  })
  const messages = collectors.flatMap((c) => c.matches)
  return { messages, timed_out: messages.length === 0, waited_ms: Date.now() - started, channels }
}
