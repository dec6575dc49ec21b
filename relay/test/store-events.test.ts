// RedisStore.subscribe: replay after Last-Event-ID then live, exactly once and in order, while
// another relay instance writes; the poll safety net; back-pressure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StreamEvent } from '../../sdk/api/types.js'
import { keys } from '../store/keys.js'
import type { RedisStore } from '../store/redis-store.js'
import { closeStores, newStore, sleep, waitFor } from './helpers.js'

let writer: RedisStore
let reader: RedisStore
let team: string

const post = (ch: string, content: string) =>
  writer.postMessage(team, ch, 'alice', { content, mention: null, thread_id: null })

beforeAll(async () => {
  writer = await newStore()
  reader = await newStore()
  team = (await writer.signup('events', 'alice')).team.id
})
afterAll(closeStores)

describe('subscribe', () => {
  it('joins mid-flight with and without a cursor: no gap, no duplicate, in order', async () => {
    const ids: string[] = []
    const early = (await post('busy', 'before-0')).id
    ids.push(early)
    const fromStart: string[] = []
    const live: string[] = []
    const subs = [
      await reader.subscribe(team, 'busy', '0', (e) => {
        if (e.type === 'message') fromStart.push(e.id)
      }),
    ]
    const writing = (async () => {
      for (let i = 0; i < 150; i++) ids.push((await post('busy', `m${i}`)).id)
    })()
    await sleep(20)
    // a late joiner resuming from a cursor in the middle of the burst, and one with no cursor
    const cursor = ids[Math.floor(ids.length / 2)]!
    const resumed: string[] = []
    subs.push(
      await reader.subscribe(team, 'busy', cursor, (e) => {
        if (e.type === 'message') resumed.push(e.id)
      }),
    )
    let liveFrom = ''
    subs.push(
      await reader.subscribe(team, 'busy', null, (e) => {
        if (e.type === 'message') live.push(e.id)
      }),
    )
    liveFrom = ids[ids.length - 1]!
    await writing
    await waitFor(() => fromStart.length === ids.length, 5_000, 'all events')
    await waitFor(() => resumed[resumed.length - 1] === ids[ids.length - 1], 5_000, 'resumed tail')
    expect(fromStart).toEqual(ids)
    expect(resumed).toEqual(ids.slice(ids.indexOf(cursor) + 1))
    // the live-only subscriber starts somewhere at or after the moment it subscribed
    expect(live).toEqual(ids.slice(ids.length - live.length))
    expect(ids.indexOf(live[0]!)).toBeLessThanOrEqual(ids.indexOf(liveFrom) + 1)
    await Promise.all(subs.map((s) => s.close()))
  })

  it('streams message, delete, status and ack events with their data', async () => {
    const events: StreamEvent[] = []
    const sub = await reader.subscribe(team, 'kinds', null, (e) => {
      events.push(e)
    })
    const m = await post('kinds', 'hello')
    await writer.setStatus(team, 'kinds', 'k', 'v', 'alice')
    await writer.deleteStatus(team, 'kinds', 'k', 'bob')
    await writer.ack(team, 'kinds', 'bob', m.id)
    // a message deleted before a stream read it is never streamed (by design): let it arrive first
    await waitFor(() => events.length === 4, 5_000, 'four events')
    await writer.deleteMessage(team, 'kinds', m.id, 'alice')
    await waitFor(() => events.length === 5, 5_000, 'five events')
    expect(events.map((e) => e.type)).toEqual(['message', 'status', 'status', 'ack', 'delete'])
    expect(events[0]).toEqual({ type: 'message', id: m.id, data: m })
    expect(events[2]?.data).toMatchObject({ key: 'k', value: '', changed_by: 'bob', deleted: true })
    expect(events[3]?.data).toMatchObject({ sender: 'bob', last_read_id: m.id })
    expect(events[4]?.data).toEqual({ id: m.id, channel: 'kinds', thread_id: null, deleted_by: 'alice' })
    await sub.close()
    // a deleted message is gone from the replay too: only its delete event remains
    const replay: StreamEvent[] = []
    const again = await reader.subscribe(team, 'kinds', '0', (e) => {
      replay.push(e)
    })
    expect(replay.map((e) => e.type)).toEqual(['status', 'status', 'ack', 'delete'])
    await again.close()
  })

  it('finds events whose wake-up was lost (poll safety net)', async () => {
    const got: string[] = []
    const sub = await reader.subscribe(team, 'quiet', null, (e) => {
      got.push(e.id)
    })
    // append without PUBLISH, as if the pub/sub message were lost during a reconnect
    const id = await writer.redis.xadd(
      keys.events(team, 'quiet'),
      '*',
      'type',
      'ack',
      's',
      'x',
      'id',
      '0-1',
      'at',
      'now',
    )
    await waitFor(() => got.length === 1, 8_000, 'polled event')
    expect(got).toEqual([id])
    await sub.close()
  })

  it('waits for a slow consumer, keeping order', async () => {
    const got: string[] = []
    const sub = await reader.subscribe(team, 'slow', null, async (e) => {
      await sleep(5)
      got.push(e.id)
    })
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push((await post('slow', `s${i}`)).id)
    await waitFor(() => got.length === 20, 5_000, 'slow delivery')
    expect(got).toEqual(ids)
    await sub.close()
  })

  it('a consumer stuck behind thousands of live events gets them all, once, in order', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const got: string[] = []
    const sub = await reader.subscribe(team, 'flood', null, async (e) => {
      await gate
      got.push(e.id)
    })
    const stream = keys.events(team, 'flood')
    const ids: string[] = []
    for (let batch = 0; batch < 6; batch++) {
      const pipe = writer.redis.pipeline()
      for (let i = 0; i < 500; i++) pipe.xadd(stream, '*', 'type', 'ack', 's', 'x', 'id', '0-1', 'at', 'now')
      pipe.publish(keys.eventsNotify(team, 'flood'), 'x')
      for (const [, id] of (await pipe.exec()) ?? [])
        if (typeof id === 'string' && id.includes('-')) ids.push(id)
      await sleep(20)
    }
    expect(ids).toHaveLength(3000)
    await sleep(200)
    release()
    await waitFor(() => got.length >= 3000, 15_000, 'all flooded events')
    await sleep(100)
    expect(got).toEqual(ids)
    await sub.close()
  })

  it('refuses a malformed Last-Event-ID', async () => {
    await expect(reader.subscribe(team, 'x', 'nope', () => {})).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    })
  })
})
