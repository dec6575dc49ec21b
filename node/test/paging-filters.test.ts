// Filtered reads (a thread, `mention`) with after_id across an autobase reorder, as
// node/test/paging.test.ts does for the channel feed: A and B write replies (some mentioning
// carol) while apart, a client on each pages each filtered read to the end; after the heal the
// merged log puts some of one side's messages before the other side's cursor in the view, and the
// next page from each cursor must hold exactly the other side's matching messages, once.
import { describe, expect, it } from 'vitest'
import { type Api, eventually, type TestNode } from './helpers.js'
import { heal, postAlternately, teamOnTestnet, viewSeq } from './team-fixture.js'

const CH = 'filtered'
const N = 10

interface Page {
  next_after_id: string
  has_more: boolean
}
type Read = (cursor: string) => Promise<{ contents: string[]; next: string; more: boolean }>

/** Every message of a read after `cursor`, page by page (small pages, so the cursor moves often). */
async function pageFrom(read: Read, cursor: string): Promise<{ contents: string[]; cursor: string }> {
  const contents: string[] = []
  for (;;) {
    const page = await read(cursor)
    contents.push(...page.contents)
    cursor = page.next
    if (!page.more) return { contents, cursor }
  }
}

const mentions =
  (api: Api): Read =>
  async (cursor) => {
    const page = await api.ok<Page & { messages: Array<{ content: string }> }>(
      'GET',
      `/api/channels/${CH}/messages?mention=carol&after_id=${cursor}&limit=2`,
    )
    return { contents: page.messages.map((m) => m.content), next: page.next_after_id, more: page.has_more }
  }

const thread =
  (api: Api, parent: string): Read =>
  async (cursor) => {
    const page = await api.ok<Page & { replies: Array<{ content: string }> }>(
      'GET',
      `/api/channels/${CH}/threads/${parent}?after_id=${cursor}&limit=3`,
    )
    return { contents: page.replies.map((m) => m.content), next: page.next_after_id, more: page.has_more }
  }

describe('filtered paging across a reorder', () => {
  const team = teamOnTestnet(2)

  it('a thread or mention cursor taken before the merge yields every unseen match once', async () => {
    const [A, B] = team.nodes as [TestNode, TestNode]
    const parent = await A.api.ok<{ id: string }>('POST', `/api/channels/${CH}/messages`, { content: 'root' })
    await eventually(
      async () => expect((await pageFrom(thread(B.api, parent.id), '0')).contents).toEqual([]),
      30_000,
    )
    await eventually(async () => {
      const list = await B.api.ok<Array<{ name: string; message_count: number }>>('GET', '/api/channels')
      expect(list.find((c) => c.name === CH)?.message_count).toBe(1)
    }, 30_000)

    await A.restart({ swarm: false })
    await B.restart({ swarm: false })
    const ids = await postAlternately(A, B, CH, N, (i) => ({
      thread_id: parent.id,
      ...(i % 2 ? { mention: 'carol' } : {}),
    }))
    const all = (p: string) => Array.from({ length: N }, (_, i) => `${p}${i}`)
    const odd = (p: string) => all(p).filter((_, i) => i % 2 === 1)
    // apart, each client pages both filtered reads to the end of what its node holds
    const threadA = await pageFrom(thread(A.api, parent.id), '0')
    const threadB = await pageFrom(thread(B.api, parent.id), '0')
    const mentionA = await pageFrom(mentions(A.api), '0')
    const mentionB = await pageFrom(mentions(B.api), '0')
    expect(threadA.contents).toEqual(all('a'))
    expect(threadB.contents).toEqual(all('b'))
    expect(mentionA.contents).toEqual(odd('a'))
    expect(mentionB.contents).toEqual(odd('b'))

    await heal(A, B, CH, 1 + 2 * N)

    // the merged log puts some of one side's messages before the other side's cursor
    const placedBefore = async (t: TestNode, cursor: string, other: string[]) => {
      const at = await viewSeq(t, CH, cursor)
      return (await Promise.all(other.map((c) => viewSeq(t, CH, ids.get(c) as string)))).filter((s) => s < at)
    }
    const moved =
      (await placedBefore(A, threadA.cursor, all('b'))).length +
      (await placedBefore(B, threadB.cursor, all('a'))).length
    expect(moved).toBeGreaterThan(0)

    const nextThreadA = await pageFrom(thread(A.api, parent.id), threadA.cursor)
    const nextThreadB = await pageFrom(thread(B.api, parent.id), threadB.cursor)
    expect([...nextThreadA.contents].sort()).toEqual(all('b').sort())
    expect([...nextThreadB.contents].sort()).toEqual(all('a').sort())
    const nextMentionA = await pageFrom(mentions(A.api), mentionA.cursor)
    const nextMentionB = await pageFrom(mentions(B.api), mentionB.cursor)
    expect([...nextMentionA.contents].sort()).toEqual(odd('b').sort())
    expect([...nextMentionB.contents].sort()).toEqual(odd('a').sort())
    // from the new cursors nothing more (nothing twice)
    expect((await pageFrom(thread(A.api, parent.id), nextThreadA.cursor)).contents).toEqual([])
    expect((await pageFrom(mentions(B.api), nextMentionB.cursor)).contents).toEqual([])
    // and from the start each read holds every match once
    const fromStart = await pageFrom(thread(A.api, parent.id), '0')
    expect([...fromStart.contents].sort()).toEqual([...all('a'), ...all('b')].sort())
    const latest = await A.api.ok<Page>('GET', `/api/channels/${CH}/messages?mention=carol&limit=2`)
    expect((await pageFrom(mentions(A.api), latest.next_after_id)).contents).toEqual([])
  }, 240_000)
})
