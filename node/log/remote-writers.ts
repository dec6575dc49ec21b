// The cores of a team's other writers, as autobase holds them: the sessions it reads their blocks
// through (oplog-decoded). Autobase keeps no public list of them; node/log/writer-prefetch.ts and
// node/log/signatures-ahead.ts look now and then, since writers come and go as autobase learns of
// them (not only on 'update').
import type Autobase from 'autobase'

/** A writer core session, as far as the node uses it. */
export interface WriterCore {
  key: Buffer
  writable: boolean
  closed?: boolean
  download(range: { start: number; end: number }): { destroy(): void }
  get(index: number, options: { wait: false }): Promise<{ node?: { value: Buffer | null } } | null>
  on(event: 'download', listener: (index: number) => void): void
  off(event: 'download', listener: (index: number) => void): void
}

/** What this needs of autobase's writer bookkeeping (not in the shared typings). */
interface ActiveWriters {
  activeWriters?: Iterable<{ core: WriterCore }>
}

/** The open cores of the writers this device does not write. */
export function* remoteWriterCores(base: Autobase<unknown>): Generator<WriterCore> {
  const writers = (base as unknown as ActiveWriters).activeWriters
  if (!writers) return
  for (const { core } of writers) if (!core.writable && !core.closed) yield core
}
