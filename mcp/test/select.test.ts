import { describe, expect, it } from 'vitest'
import type { Message } from '../../sdk/api/types.js'
import { ChannelCollector, wakes } from '../wait/select.js'

function msg(id: string, sender: string, mention: string | null = null, channel = 'work'): Message {
  return {
    id,
    channel,
    sender,
    content: `m${id}`,
    mention,
    thread_id: null,
    reply_count: 0,
    created_at: '2026-11-27T12:00:00.000Z',
  }
}

describe('wakes', () => {
  it('never wakes the caller for its own messages', () => {
    expect(wakes(msg('1', 'alice'), { me: 'alice', mentionsOnly: false })).toBe(false)
    expect(wakes(msg('1', 'alice', 'alice'), { me: 'alice', mentionsOnly: true })).toBe(false)
  })

  it('wakes for anyone else, or only for mentions of the caller with mentionsOnly', () => {
    expect(wakes(msg('1', 'bob'), { me: 'alice', mentionsOnly: false })).toBe(true)
    expect(wakes(msg('1', 'bob'), { me: 'alice', mentionsOnly: true })).toBe(false)
    expect(wakes(msg('1', 'bob', 'carol'), { me: 'alice', mentionsOnly: true })).toBe(false)
    expect(wakes(msg('1', 'bob', 'alice'), { me: 'alice', mentionsOnly: true })).toBe(true)
  })
})

describe('ChannelCollector', () => {
  const filter = { me: 'alice', mentionsOnly: false }

  it('keeps one copy of a message that arrives both live and in the catch-up read', () => {
    const c = new ChannelCollector('work', filter)
    c.addLive(msg('5', 'bob'))
    c.addCaughtUp([msg('4', 'bob'), msg('5', 'bob')])
    c.addLive(msg('5', 'bob'))
    expect(c.matches.map((m) => m.id)).toEqual(['5', '4'])
  })

  it('moves the cursor to the newest message seen, whichever way it came', () => {
    const c = new ChannelCollector('work', filter)
    expect(c.cursor()).toBeNull()
    c.addLive(msg('5', 'bob'))
    c.addCaughtUp([msg('5', 'bob'), msg('6', 'alice')])
    // 5 arrived live before the read; the read also returned 6, which is newer.
    expect(c.cursor()).toBe('6')
    c.addLive(msg('6', 'alice'))
    expect(c.cursor()).toBe('6')
    c.addLive(msg('7', 'carol'))
    expect(c.cursor()).toBe('7')
  })

  it('advances the cursor past messages that do not wake the caller', () => {
    const c = new ChannelCollector('work', { me: 'alice', mentionsOnly: true })
    c.addCaughtUp([msg('1', 'bob', 'carol')])
    c.addLive(msg('2', 'alice'))
    expect(c.matches).toEqual([])
    expect(c.cursor()).toBe('2')
  })

  it('ignores live messages of other channels', () => {
    const c = new ChannelCollector('work', filter)
    c.addLive(msg('1', 'bob', null, 'other'))
    expect(c.matches).toEqual([])
    expect(c.cursor()).toBeNull()
  })
})
