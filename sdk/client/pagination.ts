// Cursor pagination as async iterators: `for await (const m of client.messages('ch'))` walks
// every page, fetching the next one only when the caller has consumed the current one.

interface Page {
  next_after_id: string
  has_more: boolean
}

/** "0" reads from the very beginning on both servers (the seed's "0-0" is accepted too). */
export const FROM_START = '0'

export async function* paginate<P extends Page, T>(
  fetchPage: (afterId: string) => Promise<P>,
  itemsOf: (page: P) => T[],
  start: string = FROM_START,
): AsyncGenerator<T, void, undefined> {
  let afterId = start
  for (;;) {
    const page = await fetchPage(afterId)
    const items = itemsOf(page)
    yield* items
    // A cursor that does not move would loop for ever: stop rather than trust has_more alone.
    if (!page.has_more || items.length === 0 || !page.next_after_id || page.next_after_id === afterId) return
    afterId = page.next_after_id
  }
}
