// Eager download of the other writers' cores. Left to itself, autobase fetches a remote writer's
// blocks in a window of 256 ahead of what it has linearized (autobase lib/writer.js
// MAX_PREFETCH), so a catch-up downloads at the pace of apply, one window after another. A node
// keeps the whole log anyway, so each remote writer's core is asked for in full as soon as
// autobase knows the writer: the transfer then runs at replication speed, alongside apply, and
// apply finds the blocks already on disk. Off unless HANDOFF_WRITER_PREFETCH=1 (team-log.ts):
// with it a catching-up member tends to apply the whole history itself (slow, and its memory
// grows with the history) where autobase would otherwise fast-forward it to a peer's view.
import type Autobase from 'autobase'
import { RemoteWriterWatch } from './remote-writers.js'

/** Ask for each remote writer's whole core while the watch runs. */
export function prefetchWriters(base: Autobase<unknown>): RemoteWriterWatch<{ destroy(): void }> {
  return new RemoteWriterWatch(base, {
    label: 'writer prefetch',
    start: (core) => core.download({ start: 0, end: -1 }),
    stop: (_core, range) => range.destroy(),
  })
}
