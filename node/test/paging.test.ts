// Paging with after_id across an autobase reorder: A and B write while apart, a client on each
// pages to the end; when they meet, the merged log places some of one side's messages BEFORE the
// other side's cursor in the view. Each client's next page from its cursor must hold exactly the
// messages it has not seen (none lost, none twice), also through the unread route and after a
// restart (the arrival order is on disk, node/arrivals.ts).
import { describe, expect, it } from 'vitest'
import { openStream } from '../../test/conformance/sse.js'
import { type Api, eventually, type TestNode } from './helpers.js'
import { heal, postAlternately, teamOnTestnet, viewSeq } from './team-fixture.js'

const CH = 'feed'
const N = 12

interface Page {
  messages: Array<{ id: string; content: string }>
  next_after_id: string
  has_more: boolean
}

/** Every message after `cursor`, page by page (small pages, so the cursor moves often). */
async function pageFrom(api: Api, cursor: string, ch = CH): Promise<{ contents: string[]; cursor: string }> {
  const contents: string[] = []
  for (;;) {
    const page = await api.ok<Page>('GET', `/api/channels/${ch}/messages?after_id=${cursor}&limit=5`)
    contents.push(...page.messages.map((m) => m.content))
    cursor = page.next_after_id
    if (!page.has_more) return { contents, cursor }
  }
}

/** Every status change after `cursor` (values), page by page. */
async function changesFrom(api: Api, cursor: string): Promise<{ values: string[]; cursor: string }> {
  const values: string[] = []
  for (;;) {
    const page = await api.ok<{
      changes: Array<{ value: string }>
      next_after_id: string
      has_more: boolean
    }>('GET', `/api/channels/${CH}/status/changes?after_id=${cursor}&limit=2`)
    values.push(...page.changes.map((c) => c.value))
    cursor = page.next_after_id
    if (!page.has_more) return { values, cursor }
  }
}

/** The id of the last event a stream from the start delivers once `messages` messages came. */
async function lastEventId(api: Api, messages: number): Promise<string> {
  const stream = await openStream(`${api.url}/api/channels/${CH}/stream?last_event_id=0`, {
    headers: { authorization: `Bearer ${api.key}` },
  })
  try {
    await stream.waitForCount('message', messages, 20_000)
    await new Promise((r) => setTimeout(r, 300)) // an ack event may follow the messages
    const id = stream.events[stream.events.length - 1]?.id
    if (!id) throw new Error('no event id')
    return id
  } finally {
    stream.close()
  }
}

/** The message contents a stream resumed after `last` delivers until `count` came (then a pause). */
async function resumeFrom(api: Api, last: string, count: number): Promise<string[]> {
  const stream = await openStream(`${api.url}/api/channels/${CH}/stream`, {
    headers: { authorization: `Bearer ${api.key}`, 'last-event-id': last },
  })
  try {
    await stream.waitForCount('message', count, 30_000)
    await new Promise((r) => setTimeout(r, 500)) // anything more (a duplicate) would come now
    return stream.of('message').map((e) => e.json.content as string)
  } finally {
    stream.close()
  }
}

describe('paging across a reorder', () => {
  const team = teamOnTestnet(2)

  it('a cursor taken before the merge still yields every unseen message exactly once', async () => {
    const [A, B] = team.nodes as [TestNode, TestNode]
    await A.api.ok('POST', `/api/channels/${CH}/messages`, { content: 'shared' })
    await eventually(async () => expect((await pageFrom(B.api, '0')).contents).toEqual(['shared']), 30_000)

    await A.restart({ swarm: false })
    await B.restart({ swarm: false })
    const ids = await postAlternately(A, B, CH, N)
    for (let i = 0; i < 3; i++) {
      await A.api.ok('PUT', `/api/channels/${CH}/status`, { key: 'ka', value: `sa${i}` })
      await B.api.ok('PUT', `/api/channels/${CH}/status`, { key: 'kb', value: `sb${i}` })
    }
    const mine = (p: string) => Array.from({ length: N }, (_, i) => `${p}${i}`)
    // apart, each client pages to the end of what its node holds, and acks it
    const seenA = await pageFrom(A.api, '0')
    const seenB = await pageFrom(B.api, '0')
    expect(seenA.contents).toEqual(['shared', ...mine('a')])
    expect(seenB.contents).toEqual(['shared', ...mine('b')])
    await A.api.ok('POST', `/api/channels/${CH}/ack`, { last_read_id: seenA.cursor })
    const changesA = await changesFrom(A.api, '0')
    const changesB = await changesFrom(B.api, '0')
    expect(changesA.values).toEqual(['sa0', 'sa1', 'sa2'])
    expect(changesB.values).toEqual(['sb0', 'sb1', 'sb2'])
    // and a stream client on each took every event so far
    const eventA = await lastEventId(A.api, 1 + N)
    const eventB = await lastEventId(B.api, 1 + N)

    await heal(A, B, CH, 1 + 2 * N)

    // both views are the same linearized log now: whichever side's messages come first, the other
    // side's cursor has messages placed before it
    const cursorA = await viewSeq(A, CH, seenA.cursor)
    const cursorB = await viewSeq(B, CH, seenB.cursor)
    const beforeA = (await Promise.all(mine('b').map((c) => viewSeq(A, CH, ids.get(c) as string)))).filter(
      (s) => s < cursorA,
    )
    const beforeB = (await Promise.all(mine('a').map((c) => viewSeq(B, CH, ids.get(c) as string)))).filter(
      (s) => s < cursorB,
    )
    expect(beforeA.length + beforeB.length).toBeGreaterThan(0)

    const nextA = await pageFrom(A.api, seenA.cursor)
    const nextB = await pageFrom(B.api, seenB.cursor)
    expect([...nextA.contents].sort()).toEqual(mine('b').sort())
    expect([...nextB.contents].sort()).toEqual(mine('a').sort())
    // and from the new cursor nothing more (nothing twice)
    expect((await pageFrom(A.api, nextA.cursor)).contents).toEqual([])
    expect((await pageFrom(B.api, nextB.cursor)).contents).toEqual([])

    // the status change log pages the same way
    expect((await changesFrom(A.api, changesA.cursor)).values.sort()).toEqual(['sb0', 'sb1', 'sb2'])
    expect((await changesFrom(B.api, changesB.cursor)).values.sort()).toEqual(['sa0', 'sa1', 'sa2'])

    // a stream resumed with its Last-Event-ID gets exactly the other side's messages, once
    expect((await resumeFrom(A.api, eventA, N)).sort()).toEqual(mine('b').sort())
    expect((await resumeFrom(B.api, eventB, N)).sort()).toEqual(mine('a').sort())

    // the unread route pages from the ack the same way (not counting alice's own messages)
    const unread = await A.api.ok<Page>('GET', `/api/channels/${CH}/unread?limit=100`)
    expect(unread.messages.map((m) => m.content).sort()).toEqual(mine('b').sort())

    // the latest page's cursor is the newest arrival: nothing follows it
    const latest = await A.api.ok<Page>('GET', `/api/channels/${CH}/messages?limit=5`)
    expect(latest.messages).toHaveLength(5)
    expect((await pageFrom(A.api, latest.next_after_id)).contents).toEqual([])

    // the arrival order is on disk: after a restart the old cursor still means the same
    await A.restart({ swarm: false })
    expect([...(await pageFrom(A.api, seenA.cursor)).contents].sort()).toEqual(mine('b').sort())
    const all = await pageFrom(A.api, '0')
    expect(all.contents).toHaveLength(1 + 2 * N)
    expect(new Set(all.contents).size).toBe(1 + 2 * N)
  }, 240_000)
})

describe('paging across a reorder that drops a message a client has seen', () => {
  const team = teamOnTestnet(2)

  it('the dropped message is skipped and no other comes twice', async () => {
    // apart, each side replies to the other's message and deletes its own: once merged, the
    // reply ordered after its parent's delete is dropped, on the node whose client paged it
    // (its name was in that node's arrival runs: they must become entries, node/arrivals.ts)
    const [A, B] = team.nodes as [TestNode, TestNode]
    const ch = 'drops'
    const ma = await A.api.ok<{ id: string }>('POST', `/api/channels/${ch}/messages`, { content: 'ma' })
    const mb = await B.api.ok<{ id: string }>('POST', `/api/channels/${ch}/messages`, { content: 'mb' })
    await eventually(async () => {
      for (const t of [A, B]) expect((await pageFrom(t.api, '0', ch)).contents.sort()).toEqual(['ma', 'mb'])
    }, 30_000)
    await A.restart({ swarm: false })
    await B.restart({ swarm: false })
    await A.api.ok('POST', `/api/channels/${ch}/messages`, { content: 'ra', thread_id: mb.id })
    await A.api.ok('DELETE', `/api/channels/${ch}/messages/${ma.id}`)
    await B.api.ok('POST', `/api/channels/${ch}/messages`, { content: 'rb', thread_id: ma.id })
    await B.api.ok('DELETE', `/api/channels/${ch}/messages/${mb.id}`)
    const seenA = await pageFrom(A.api, '0', ch)
    const seenB = await pageFrom(B.api, '0', ch)
    expect(seenA.contents).toEqual(['mb', 'ra'])
    expect(seenB.contents).toEqual(['ma', 'rb'])

    await heal(A, B, ch, 1) // one reply survives, its parent's delete was ordered after it
    const all = await Promise.all([A, B].map(async (t) => (await pageFrom(t.api, '0', ch)).contents))
    expect(all[0]).toHaveLength(1)
    expect(all[1]).toEqual(all[0])
    const kept = all[0]?.[0]
    // the side whose reply survived saw it already; the other side's client learns of it once
    const nextA = await pageFrom(A.api, seenA.cursor, ch)
    const nextB = await pageFrom(B.api, seenB.cursor, ch)
    expect(nextA.contents).toEqual(kept === 'ra' ? [] : ['rb'])
    expect(nextB.contents).toEqual(kept === 'rb' ? [] : ['ra'])
  }, 240_000)
})
