// Live streams against real servers: handlers for every event type, resume by event id, and the
// guarantee the seed lacked: across a server restart a handler sees every message exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthenticationError, type ChannelEvent, Handoff, type Message } from '../index.js'
import { type SdkServer, targets } from './support/targets.js'
import { sleep, waitFor } from './support/wait.js'

for (const target of targets) {
  describe(`SDK streams on the ${target.name}`, () => {
    let server: SdkServer
    let admin: Handoff

    beforeAll(async () => {
      server = await target.start()
      admin = new Handoff({ apiUrl: server.url, apiKey: server.adminKey })
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('delivers messages to on() and every event type to onEvent(), with cursors', async () => {
      await admin.createChannel('live')
      const messages: Message[] = []
      const events: ChannelEvent[] = []
      const cursors: string[] = []
      const offMessages = admin.on('live', (m) => {
        messages.push(m)
      })
      const offEvents = admin.onEvent('live', (e) => {
        events.push(e)
      })
      offEvents.subscription.on('cursor', (id) => cursors.push(id))
      await Promise.all([offMessages.ready(), offEvents.ready()])

      const m = await admin.post('live', 'first')
      await admin.setStatus('live', 'build', 'green')
      await admin.ack('live', m.id)
      await admin.deleteMessage('live', m.id)
      await waitFor(() => events.length === 4, 'four events')

      expect(messages.map((x) => x.content)).toEqual(['first'])
      expect(events.map((e) => e.type)).toEqual(['message', 'status', 'ack', 'delete'])
      expect(events[1]!.data).toMatchObject({ key: 'build', value: 'green' })
      expect(events[2]!.data).toMatchObject({ last_read_id: m.id })
      expect(events[3]!.data).toMatchObject({ id: m.id, channel: 'live' })
      expect(cursors).toEqual(events.map((e) => e.id))
      expect(offEvents.subscription.lastEventId).toBe(events[3]!.id)
      offMessages()
      offEvents()
    })

    it('resumes after a given last_event_id with the typed handlers of onEvent', async () => {
      await admin.createChannel('resume')
      const a = await admin.post('resume', 'a')
      await admin.post('resume', 'b')
      await admin.setStatus('resume', 'k', 'v')
      const seen: string[] = []
      const off = admin.onEvent(
        'resume',
        { message: (m) => void seen.push(m.content), status: (s) => void seen.push(`${s.key}=${s.value}`) },
        { last_event_id: a.id },
      )
      await waitFor(() => seen.length === 2, 'replayed events')
      expect(seen).toEqual(['b', 'k=v'])
      off()
    })

    it('sees every message exactly once across a server restart during on()', async () => {
      await admin.createChannel('restart')
      const poster = new Handoff({ apiUrl: server.url, apiKey: server.adminKey })
      const received: string[] = []
      // A slow first reconnect so the "during" posts surely land while the client is away (3 s
      // was too short for three node posts on a loaded CI machine).
      const off = admin.on('restart', (m) => void received.push(m.content), {
        reconnect: { minDelayMs: 8000 },
      })
      const sub = off.subscription
      await off.ready()

      for (const n of [1, 2, 3]) await poster.post('restart', `before-${n}`)
      await waitFor(() => received.length === 3, 'messages before the restart')

      await server.restart()
      await waitFor(() => !sub.connected, 'the client to notice the restart')
      for (const n of [1, 2, 3]) await poster.post('restart', `during-${n}`)
      expect(sub.connected).toBe(false)

      await waitFor(() => sub.connected, 'the client to reconnect')
      for (const n of [1, 2, 3]) await poster.post('restart', `after-${n}`)
      await waitFor(() => received.length >= 9, 'all nine messages')
      await sleep(300) // a duplicate would arrive in this window
      expect(received).toEqual([
        'before-1',
        'before-2',
        'before-3',
        'during-1',
        'during-2',
        'during-3',
        'after-1',
        'after-2',
        'after-3',
      ])
      off()
    })

    if (target.peers) {
      it('sees messages posted through another relay while its own is down, exactly once', async () => {
        const peer = await server.startPeer!()
        try {
          await admin.createChannel('scale-out')
          const viaPeer = new Handoff({ apiUrl: peer.url, apiKey: server.adminKey })
          const received: string[] = []
          const off = admin.on('scale-out', (m) => void received.push(m.content), {
            reconnect: { minDelayMs: 100, maxDelayMs: 300 },
          })
          await off.ready()
          await viaPeer.post('scale-out', 'before')
          await waitFor(() => received.length === 1, 'the first message')

          await server.restart(async () => {
            // The client's relay is down (its reconnects are refused): the team writes elsewhere.
            for (const n of [1, 2, 3]) await viaPeer.post('scale-out', `while-down-${n}`)
            await sleep(400)
          })
          await waitFor(() => off.subscription.connected, 'the reconnect')
          await viaPeer.post('scale-out', 'after')
          await waitFor(() => received.length >= 5, 'all five messages')
          await sleep(300)
          expect(received).toEqual(['before', 'while-down-1', 'while-down-2', 'while-down-3', 'after'])
          off()
        } finally {
          await peer.stop()
        }
      })
    }

    it('loses nothing when the stream drops before its first event', async () => {
      await admin.createChannel('early-drop')
      await admin.post('early-drop', 'old news') // before the subscription: never delivered
      const received: string[] = []
      const off = admin.on('early-drop', (m) => void received.push(m.content), {
        reconnect: { minDelayMs: 3000 },
      })
      await off.ready()
      await sleep(200) // let the subscription take its starting point

      await server.restart()
      await waitFor(() => !off.subscription.connected, 'the drop')
      await admin.post('early-drop', 'while away')
      await waitFor(() => off.subscription.connected, 'the reconnect')
      await admin.post('early-drop', 'back')
      await waitFor(() => received.length >= 2, 'both messages')
      await sleep(200)
      expect(received).toEqual(['while away', 'back'])
      off()
    })

    it('ends for good, with a typed error, when its key is revoked', async () => {
      await admin.createChannel('revoke')
      const created = await admin.createKey('listener', { revoke: 'read' })
      const listener = new Handoff({ apiUrl: server.url, apiKey: created.api_key })
      const errors: Error[] = []
      const sub = listener.subscribe('revoke', { onError: (e) => errors.push(e) })
      let closed = false
      sub.on('close', () => {
        closed = true
      })
      const ended = sub.connect()
      await sub.ready()
      const keyId = (await admin.listKeys()).find((k) => k.sender === 'listener')!.key
      await admin.revokeKey(keyId)
      await ended // connect() settles when the subscription is over, as in the seed
      expect(closed).toBe(true)
      expect(sub.connected).toBe(false)
      expect(errors.some((e) => e instanceof AuthenticationError)).toBe(true)
    })

    it('closes on close() and on an AbortSignal, and ready() rejects afterwards', async () => {
      await admin.createChannel('closing')
      const controller = new AbortController()
      const sub = admin.subscribe('closing', { signal: controller.signal })
      const ended = sub.connect()
      await sub.ready()
      expect(sub.connected).toBe(true)
      controller.abort()
      await ended
      expect(sub.connected).toBe(false)
      await expect(sub.ready()).rejects.toThrow()

      const second = admin.subscribe('closing')
      const done = second.connect()
      await second.ready()
      second.close()
      await done
      expect(second.connected).toBe(false)
    })
  })
}
