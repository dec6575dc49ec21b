// The relay bridge's cursors, kept in DIR/relay-sync.json so a restarted node resumes where it
// stopped instead of re-sending or re-reading everything. Losing the file (or a crash between a
// sync step and the save) costs only repeated work: the relay dedupes pushes by envelope id and
// the node skips pulled envelopes its view already applied.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../data-dir.js'

export interface BridgeCursors {
  /** the relay and sync space these cursors belong to: another relay or team starts afresh */
  url: string
  space: string
  /** autobase writer key (hex) -> how many of its blocks were pushed */
  push: Record<string, number>
  /** the relay sync-log cursor of the last envelope pulled ("0": none yet) */
  pull: string
  /** relay message ids already imported as envelopes (HTTP-client messages), per channel */
  imported: Record<string, string>
  /** per relay channel, the last status change imported (HTTP clients' status sets/deletes) */
  statuses: Record<string, string>
  /** relay message id -> node message id, both ways across the boundary (threads map through it) */
  ids: Record<string, string>
  /** per relay channel, the last event of its stream read (message deletes of HTTP clients) */
  events: Record<string, string>
  /** node sender name -> a relay key of that sender name, minted to repeat its acks on the relay */
  senders: Record<string, string>
}

export const bridgeFile = (dir: string) => join(dir, 'relay-sync.json')

/** a saved map, or an empty one for anything else */
const map = <T extends object>(value: T | undefined): T =>
  typeof value === 'object' && value !== null ? value : ({} as T)

export async function readCursors(dir: string, url: string, space: string): Promise<BridgeCursors> {
  let saved: Partial<BridgeCursors> = {}
  try {
    saved = JSON.parse(await readFile(bridgeFile(dir), 'utf8')) as Partial<BridgeCursors>
  } catch {
    // absent or unreadable: start over (safe, see above)
  }
  // another relay or team: start over too
  if (saved.url !== url || saved.space !== space) saved = {}
  return {
    url,
    space,
    push: map(saved.push),
    pull: typeof saved.pull === 'string' && saved.pull !== '' ? saved.pull : '0',
    imported: map(saved.imported),
    statuses: map(saved.statuses),
    ids: map(saved.ids),
    events: map(saved.events),
    senders: map(saved.senders),
  }
}

export function writeCursors(dir: string, cursors: BridgeCursors): Promise<void> {
  return writeFileAtomic(bridgeFile(dir), `${JSON.stringify(cursors)}\n`)
}
