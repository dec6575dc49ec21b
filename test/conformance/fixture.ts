// Per-suite state shared by the case modules: the running server, its admin key, and makers of
// unique channels and keys so that tests never see each other's data, even on a node target
// where every test shares one team.
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import type { Message, Permissions } from '../../sdk/api/types.js'
import { Client, expectStatus, seg } from './http.js'
import { expectMessage } from './shapes.js'
import type { ConformanceServer, ConformanceTarget } from './target.js'

export interface TestKey {
  client: Client
  secret: string
  /** the key's id, as GET /api/keys lists it and the key routes take it */
  id: string
  sender: string
}

export interface Fixture {
  readonly target: ConformanceTarget
  readonly server: ConformanceServer
  readonly url: string
  /** the team admin key of the target */
  readonly admin: Client
  /** no key at all */
  readonly anon: Client
  /** a fresh, valid, unused channel name */
  channel(label: string): string
  /** a fresh sender name */
  sender(label: string): string
  /** a new key of the admin's team; without `permissions` the server's default ({"*": "admin"}) */
  key(label: string, permissions?: Permissions): Promise<TestKey>
  /** posts a message and checks the 201 and its shape */
  post(client: Client, channel: string, content: string, extra?: Record<string, unknown>): Promise<Message>
  /** the stream URL of a channel with an optional query */
  streamUrl(channel: string, query?: Record<string, string>): string
}

export function createFixture(target: ConformanceTarget): {
  fixture: Fixture
  setup(): Promise<void>
  teardown(): Promise<void>
} {
  const runId = randomBytes(3).toString('hex')
  let counter = 0
  let server: ConformanceServer | undefined
  const need = (): ConformanceServer => {
    if (!server) throw new Error('conformance server not started')
    return server
  }

  const fixture: Fixture = {
    target,
    get server() {
      return need()
    },
    get url() {
      return need().url
    },
    get admin() {
      return new Client(need().url, need().adminKey)
    },
    get anon() {
      return new Client(need().url, null)
    },
    channel(label) {
      counter += 1
      return `${label.toLowerCase()}-${runId}${counter}`.slice(0, 64)
    },
    sender(label) {
      counter += 1
      return `${label}-${runId}-${counter}`
    },
    async key(label, permissions) {
      const sender = fixture.sender(label)
      const body = permissions === undefined ? { sender_name: sender } : { sender_name: sender, permissions }
      const created = expectStatus(await fixture.admin.post('/api/keys', body), 201)
      expect(created.api_key).toBeTypeOf('string')
      let id: string | undefined = typeof created.key_id === 'string' ? created.key_id : undefined
      if (id === undefined) {
        const keys = expectStatus(await fixture.admin.get('/api/keys'), 200) as Array<{
          key: string
          sender: string
        }>
        id = keys.find((k) => k.sender === sender)?.key
      }
      expect(id, `key id of ${sender}`).toBeTypeOf('string')
      return { client: new Client(need().url, created.api_key), secret: created.api_key, id: id!, sender }
    },
    async post(client, channel, content, extra = {}) {
      const res = await client.post(`/api/channels/${seg(channel)}/messages`, { content, ...extra })
      const message = expectStatus(res, 201)
      expectMessage(message)
      return message as Message
    },
    streamUrl(channel, query = {}) {
      const qs = new URLSearchParams(query).toString()
      return `${need().url}/api/channels/${seg(channel)}/stream${qs ? `?${qs}` : ''}`
    },
  }

  return {
    fixture,
    async setup() {
      server = await target.start()
    },
    async teardown() {
      await server?.stop()
      server = undefined
    },
  }
}
