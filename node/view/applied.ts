// Whether the view marks an envelope applied: one rule for apply (inside its batch) and for the
// readers of the live view (the writer learning its envelope's fate, the bridge skipping what it
// already has). A team's marks are `d/<time>/<id>` (doneKey) when its genesis said so (META.dedupe,
// node/log/apply.ts); a team created before that keeps `d/<id>` marks, and both keys count there.
import { doneKey, legacyDoneKey, META } from './keys.js'
import type { MetaRecord, ViewValue } from './records.js'

export interface MarkSource {
  get(key: string): Promise<ViewValue | null>
  /** the team's META (null before genesis) */
  meta(): Promise<MetaRecord | null>
}

export async function isApplied(source: MarkSource, time: number, id: string): Promise<boolean> {
  if ((await source.get(doneKey(time, id))) !== null) return true
  if ((await source.meta())?.dedupe === 2) return false
  return (await source.get(legacyDoneKey(id))) !== null
}

/** A MarkSource over a hyperbee of the view (values as stored). */
export function marksOf(view: { get(key: string): Promise<{ value: ViewValue } | null> }): MarkSource {
  const get = async (key: string) => (await view.get(key))?.value ?? null
  return { get, meta: async () => (await get(META)) as MetaRecord | null }
}
