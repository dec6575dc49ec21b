// Load generation for the relay bench: keep-alive HTTP POSTs from a fixed number of concurrent
// connections (a bounded request count), and SSE subscribers that time one event's arrival.
import { Agent, type IncomingMessage, request } from 'node:http'

export interface Stats {
  requests: number
  seconds: number
  rps: number
  p50: number
  p99: number
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

function post(agent: Agent, url: URL, path: string, key: string | null, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** `total` POSTs over `concurrency` keep-alive connections; latency per request in ms. */
export async function postLoad(
  base: string,
  path: string,
  key: string | null,
  total: number,
  concurrency: number,
): Promise<Stats> {
  const url = new URL(base)
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const body = JSON.stringify({ content: 'bench message '.repeat(8) })
  const latencies: number[] = []
  let next = 0
  let failures = 0
  const start = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++
        const t0 = process.hrtime.bigint()
        const status = await post(agent, url, path, key, body)
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6)
        if (status !== 201) failures++
      }
    }),
  )
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  agent.destroy()
  if (failures > 0) throw new Error(`${failures} of ${total} POSTs to ${path} failed`)
  latencies.sort((a, b) => a - b)
  return {
    requests: total,
    seconds,
    rps: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  }
}

export interface Subscriber {
  /** resolves with the arrival time (hrtime ns) of the next event whose data contains `marker` */
  next(marker: string): Promise<bigint>
  close(): void
}

export function subscribe(base: string, path: string, agent: Agent): Promise<Subscriber> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path, headers: { accept: 'text/event-stream' } },
      (res: IncomingMessage) => {
        if (res.statusCode !== 200) return reject(new Error(`stream ${path}: ${res.statusCode}`))
        let buffer = ''
        let waiting: { marker: string; resolve: (t: bigint) => void } | null = null
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          const t = process.hrtime.bigint()
          buffer += chunk
          let end = buffer.indexOf('\n\n')
          while (end !== -1) {
            const frame = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            if (waiting && frame.includes(waiting.marker)) {
              waiting.resolve(t)
              waiting = null
            }
            end = buffer.indexOf('\n\n')
          }
        })
        resolve({
          next: (marker) => new Promise((r) => (waiting = { marker, resolve: r })),
          close: () => req.destroy(),
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

export { post }
