// The two servers of the relay bench, each run in its own process so the load generator does
// not share its event loop: `full` is the real relay (auth, validation, rate limit in Redis,
// permissions, Lua write, event stream); `bare` is the least a relay must do: a Fastify route
// doing the same XADD + PUBLISH without auth or validation, and an SSE route fanning out a
// Redis pub/sub channel. Prints one line `READY <url> <key>` when listening.
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { buildRelay } from '../../relay/app.js'

const [mode = 'full', redisUrl = 'redis://127.0.0.1:6379'] = process.argv.slice(2)

async function full(): Promise<void> {
  const { app, store } = await buildRelay({
    redisUrl,
    // the limiter stays on (its Redis round trip is part of the cost) but never trips;
    // BENCH_RATE_LIMIT=off measures without it
    rateLimitMax: process.env.BENCH_RATE_LIMIT === 'off' ? 0 : 1_000_000_000,
    sse: { maxPerKey: 10_000 },
  })
  const { api_key } = await store.signup('bench', 'bench')
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  process.stdout.write(`READY ${address} ${api_key}\n`)
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))
}

async function bare(): Promise<void> {
  // the same client options as the relay's command connection, so only auth/validation differ
  const redis = new Redis(redisUrl, { enableAutoPipelining: true })
  const sub = new Redis(redisUrl)
  const clients = new Set<import('node:http').ServerResponse>()
  await sub.subscribe('bare:notify')
  sub.on('message', (_channel: string, payload: string) => {
    const frame = `id: ${JSON.parse(payload).id}\nevent: message\ndata: ${payload}\n\n`
    for (const res of clients) res.write(frame)
  })
  const app = Fastify({ logger: false })
  app.post('/bare/messages', async (request, reply) => {
    const body = request.body as { content: string }
    const createdAt = new Date().toISOString()
    const id = await redis.xadd(
      'bare:msgs',
      'MAXLEN',
      '~',
      10000,
      '*',
      's',
      'bench',
      'c',
      body.content,
      'at',
      createdAt,
    )
    const message = { id, channel: 'bench', sender: 'bench', content: body.content, created_at: createdAt }
    await redis.publish('bare:notify', JSON.stringify(message))
    reply.code(201)
    return message
  })
  app.get('/bare/stream', (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    reply.raw.write(':ok\n\n')
    clients.add(reply.raw)
    request.raw.on('close', () => clients.delete(reply.raw))
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  process.stdout.write(`READY ${address} -\n`)
  process.once('SIGTERM', () => {
    for (const res of clients) res.end()
    void app.close().then(() => {
      redis.disconnect()
      sub.disconnect()
      process.exit(0)
    })
  })
}

await (mode === 'bare' ? bare() : full())
