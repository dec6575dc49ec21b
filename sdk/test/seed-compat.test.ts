// Code written for handoff-sdk v1.3.2, kept to that SDK's own surface and types (its README
// example, its Subscription usage, its error class), runs unchanged against both servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Handoff, {
  type Ack,
  type Channel,
  HandoffError,
  type Message,
  type PermissionLevel,
  type ReadResult,
  type Status,
  type StatusChange,
  type ThreadResult,
} from '../index.js'
import { type SdkServer, targets } from './support/targets.js'
import { waitFor } from './support/wait.js'

for (const target of targets) {
  describe(`handoff-sdk v1.3.2 code on the ${target.name}`, () => {
    let server: SdkServer

    beforeAll(async () => {
      server = await target.start()
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('runs the seed README example and its typed calls unchanged', async () => {
      const hf = new Handoff({
        apiUrl: `${server.url}/`,
        apiKey: server.adminKey,
        encryptionKey: 'team-secret',
      })
      expect(hf.encrypted).toBe(true)
      const channel: Channel = await hf.createChannel('infra')
      expect(channel.name).toBe('infra')

      const received: Message[] = []
      const sub = hf.subscribe('infra')
      const cursors: string[] = []
      sub.on('message', (msg: Message) => received.push(msg))
      sub.on('cursor', (id: string) => cursors.push(id))
      sub.on('error', () => {})
      sub.connect() // the seed's code does not await it
      await waitFor(() => sub.connected, 'the stream')

      const posted: Message = await hf.post('infra', 'EKS cluster ready', { mention: 'jordan' })
      const msgId = posted.id
      await hf.reply('infra', msgId, 'What node instance type?')
      const status: Status = await hf.setStatus('infra', 'eks', 'ready')
      expect(status.value).toBe('ready')

      const unread: ReadResult = await hf.read('infra')
      expect(unread.messages.map((m) => m.content)).toEqual(['EKS cluster ready', 'What node instance type?'])
      const thread: ThreadResult = await hf.thread('infra', msgId)
      expect(thread.replies).toHaveLength(1)
      const ack: Ack = await hf.ack('infra', msgId)
      expect((await hf.getAcks('infra')).map((a: Ack) => a.sender)).toContain(ack.sender)
      const statuses: Status[] = await hf.getStatus({ channel: 'infra', key: 'eks' })
      expect(statuses[0]!.value).toBe('ready')
      const changes: { changes: StatusChange[]; next_after_id: string; has_more: boolean } =
        await hf.getStatusChanges('infra', { after_id: '0-0' })
      expect(changes.changes.map((c) => c.value)).toEqual(['ready'])

      const perms: Record<string, PermissionLevel> = { infra: 'read' }
      const key: { api_key: string; sender: string; permissions?: Record<string, PermissionLevel> } =
        await hf.createKey('viewer', perms)
      expect(key.sender).toBe('viewer')

      const unsub: () => void = hf.on('infra', () => {})
      unsub()

      await waitFor(() => received.length === 2, 'both messages on the seed-style subscription')
      expect(received.map((m) => m.content)).toEqual(['EKS cluster ready', 'What node instance type?'])
      // One cursor per event with an id: the two messages, and the status and ack events that
      // the new servers add (an old client ignores their type, but resumes after them).
      expect(cursors.length).toBeGreaterThanOrEqual(2)
      sub.close()

      await hf.deleteMessage('infra', msgId)
      const err = await hf.thread('infra', msgId).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HandoffError)
      expect((err as HandoffError).status).toBe(404)
      await hf.deleteChannel('infra')
      expect(new HandoffError('m', 400, 'X')).toMatchObject({ name: 'HandoffError', status: 400, code: 'X' })
    })
  })
}
