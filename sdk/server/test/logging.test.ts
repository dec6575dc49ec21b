// A key passed as ?token= (EventSource cannot send headers) must never reach the logs.
import { Writable } from 'node:stream'
import { afterEach, expect, it } from 'vitest'
import { call, startApi, type TestApi } from './helpers.js'

let api: TestApi | undefined
afterEach(() => api?.close())

it('redacts ?token= from request logs', async () => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk))
      done()
    },
  })
  api = await startApi({ logger: { level: 'info', stream } })
  expect((await call(api.app, { url: `/api/channels?token=${api.key}&x=1` })).status).toBe(200)
  expect((await call(api.app, { url: `/nope?token=${api.key}` })).status).toBe(404)
  const log = lines.join('')
  expect(log).toContain('token=[redacted]')
  expect(log).not.toContain(api.key)
})
