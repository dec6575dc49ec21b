// Where the view marks an envelope applied, and whether it did: one rule for apply (inside its
// batch) and for the readers of the live view (the writer learning its envelope's fate, the
// bridge skipping what it already has). A team's genesis states its format: with `format: 2`
// (META.dedupe = 2, node/log/apply.ts) the marks are `d/<time>/<id>` (doneKey); a team created
// before keeps writing `d/<id>` marks, as its older nodes do, so that every replica of a team
// holds the same view whatever version applied it.
import { doneKey, legacyDoneKey, META } from './keys.js'
import type { MetaRecord, ViewValue } from './records.js'

/** A read of the view (the live one, or an apply batch) by key. */
export type ViewGet = (key: string) => Promise<ViewValue | null>

/** The key of an envelope's applied mark in a team whose META is `meta` (null: before genesis). */
export function markKeyOf(meta: MetaRecord | null, time: number, id: string): string {
  return meta?.dedupe === 2 ? doneKey(time, id) : legacyDoneKey(id)
}

export async function isApplied(get: ViewGet, time: number, id: string): Promise<boolean> {
  const meta = (await get(META)) as MetaRecord | null
  return (await get(markKeyOf(meta, time, id))) !== null
}

/** A ViewGet over a hyperbee of the view (values as stored). */
export function viewGet(view: { get(key: string): Promise<{ value: ViewValue } | null> }): ViewGet {
  return async (key) => (await view.get(key))?.value ?? null
}
