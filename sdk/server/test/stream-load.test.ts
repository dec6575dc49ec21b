// Under load: a reader that stalls for a while still gets every event, in order, once: the store
// waits on the writer (back-pressure) instead of the server buffering without bound.
import { get, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { call, startApi, type TestApi, unique } from './helpers.js'

let api: TestApi
let base: string
beforeAll(async () => {
  api = await startApi({ sse: { heartbeatMs: 60_000, maxBufferedBytes: 256 * 1024 } })
  await api.app.listen({ port: 0, host: '127.0.0.1' })
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`
})
afterAll(() => api.close())

it('delivers every event in order to a reader that stalls, without dropping it', async () => {
  const ch = unique('load')
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${base}/api/channels/${ch}/stream?token=${api.key}`, resolve).on('error', reject),
  )
  expect(res.statusCode).toBe(200)
  let text = ''
  res.setEncoding('utf8')
  res.on('data', (c: string) => {
    text += c
  })
  await new Promise((r) => setTimeout(r, 100))
  res.pause() // stall while 2.4 MiB of events are produced (ten times the allowed buffer)

  const total = 300
  const content = 'z'.repeat(8 * 1024)
  const posted: string[] = []
  for (let i = 0; i < total; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(api.app, {
          method: 'POST',
          url: `/api/channels/${ch}/messages`,
          key: api.key,
          body: { content },
        }),
      ),
    )
    for (const r of batch) posted.push(r.json.id)
  }
  await new Promise((r) => setTimeout(r, 300))
  res.resume()
  const start = Date.now()
  const ids = () => [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1])
  while (ids().length < total && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 50))
  res.destroy()
  const sortIds = (a: string, b: string) => {
    const [am, as] = a.split('-').map(BigInt) as [bigint, bigint]
    const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint]
    return am === bm ? Number(as - bs) : am < bm ? -1 : 1
  }
  expect(ids()).toEqual([...posted].sort(sortIds))
})
