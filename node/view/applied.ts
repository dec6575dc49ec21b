// Where the view marks an envelope applied: one rule for apply (which writes and checks the mark
// inside its batch) and for the readers of the live view (the writer learning its envelope's fate,
// the bridge skipping what it already has). A team's genesis states its format: with `format: 2`
// (META.dedupe = 2, node/log/apply.ts) the marks are `d/<time>/<id>` (doneKey); a team created
// before keeps writing `d/<id>` marks, as its older nodes do, so that every replica of a team
// holds the same view whatever version applied it.
import { doneKey, legacyDoneKey, META } from './keys.js'
import type { MetaRecord, ViewValue } from './records.js'

/** The key of an envelope's applied mark in a team whose META is `meta` (null: before genesis). */
export function markKeyOf(meta: MetaRecord | null, time: number, id: string): string {
  return meta?.dedupe === 2 ? doneKey(time, id) : legacyDoneKey(id)
}

/**
 * Whether the live view marks an envelope applied, for a long-lived reader: the team's format is
 * read from META until its genesis is there, then kept (it never changes after), so each lookup
 * is one read, not two.
 */
export function appliedIn(get: (key: string) => Promise<ViewValue | null>) {
  let meta: MetaRecord | null = null
  return async (time: number, id: string): Promise<boolean> => {
    if (!meta?.genesis) meta = (await get(META)) as MetaRecord | null
    return (await get(markKeyOf(meta, time, id))) !== null
  }
}
