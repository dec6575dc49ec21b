// The node's write path: envelopes sealed by the store go through a group-commit queue into the
// team log (one autobase append for all writes that queued up meanwhile), and each caller learns
// what apply did with its own envelope: applied, or dropped with a reason mapped to an API error.
// Checks that must not interleave with the append they guard run under a keyed lock.
import { ApiError } from '../sdk/api/errors.js'
import type { Envelope } from '../sdk/protocol/index.js'
import type { TeamLog } from './log/team-log.js'
import { WriteQueue } from './log/write-queue.js'
import { appliedIn } from './view/applied.js'
import { droppedKey, memberKey } from './view/keys.js'
import type { ViewReader } from './view/read.js'
import type { DroppedRecord, MemberRecord } from './view/records.js'

/** Reasons apply gives for dropping an operation, as the API's errors. */
const DROP_ERRORS: Array<[RegExp, ApiError]> = [
  [
    /thread parent/,
    new ApiError('THREAD_PARENT_NOT_FOUND', 'The message you are replying to does not exist'),
  ],
  [/message not found/, new ApiError('MESSAGE_NOT_FOUND', 'Message not found')],
  [/status not found/, new ApiError('STATUS_NOT_FOUND', 'Status key not found')],
  [/channel not found/, new ApiError('CHANNEL_NOT_FOUND', 'Channel not found')],
  [
    /author|admin|reader|member/,
    new ApiError('FORBIDDEN', 'This device may not make that change in the team'),
  ],
]

/** how long a write waits for the log to become writable before 503 */
const WRITABLE_WAIT_MS = 10_000

/** Why apply dropped an envelope, as the API error a caller gets. */
export function dropError(reason: string): ApiError {
  for (const [re, error] of DROP_ERRORS) if (re.test(reason)) return new ApiError(error.code, error.message)
  return new ApiError('UNAVAILABLE', `The operation was not applied: ${reason}`)
}

export class EnvelopeWriter {
  private readonly queue: WriteQueue
  private readonly applied: (time: number, id: string) => Promise<boolean>
  private readonly locks = new Map<string, Promise<unknown>>()
  /** the wait for writability that concurrent writes share (untilWritable) */
  private writableWait: Promise<void> | null = null

  constructor(
    private readonly log: TeamLog,
    private readonly reader: ViewReader,
    private readonly onAppended: () => void,
  ) {
    this.queue = new WriteQueue((envelopes) => log.append(envelopes))
    this.applied = appliedIn((key) => reader.get(key))
  }

  /**
   * Runs `fn` after every earlier call with the same key has settled, so a check and the append
   * it guards are not interleaved with another write of the same thing. Calls with different
   * keys run concurrently (and their appends share the queue).
   */
  serial<T>(fn: () => Promise<T>, key = ''): Promise<T> {
    const run = (this.locks.get(key) ?? Promise.resolve()).then(fn, fn)
    const tail = run.then(
      () => {},
      () => {},
    )
    this.locks.set(key, tail)
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key)
    })
    return run
  }

  /**
   * Right after a restart a member's log is not writable until autobase caught up its own tail (a
   * second or so): a write waits that out rather than fail. Concurrent writes share one wait. A
   * device no admin added yet gets the 503 after the wait; one the view shows as removed gets it
   * at once (it never becomes a writer again); a log autobase closed on a fault gets that fault.
   */
  private async untilWritable(author: Buffer): Promise<void> {
    this.throwIfFailed()
    const member = await this.reader.get<MemberRecord>(memberKey(author.toString('hex'))).catch(() => null)
    if (member?.removed) throw new ApiError('UNAVAILABLE', 'This device was removed from its team')
    this.writableWait ??= this.log.waitWritable(AbortSignal.timeout(WRITABLE_WAIT_MS)).finally(() => {
      this.writableWait = null
    })
    await this.writableWait.catch(() => {}) // a timeout or a fault: the checks below answer
    this.throwIfFailed()
    if (!this.log.writable)
      throw new ApiError('UNAVAILABLE', 'This node is not a writer of its team yet', { retryAfter: 5 })
  }

  /** The fault autobase closed the team log on, as the API error every write gets now. */
  private throwIfFailed(): void {
    const failure = this.log.failed
    if (failure) throw new ApiError('UNAVAILABLE', `The team log stopped: ${failure.message}`)
  }

  /** Append one envelope; throws the API error matching apply's reason if it was dropped. */
  async append(envelope: Envelope): Promise<void> {
    if (!this.log.writable) await this.untilWritable(envelope.header.author)
    await this.queue.push(envelope.bytes)
    this.onAppended()
    const id = envelope.id.toString('hex')
    if (await this.applied(envelope.header.time, id)) return
    const dropped = await this.reader.get<DroppedRecord>(droppedKey(id))
    throw dropError(dropped?.reason ?? 'not applied')
  }
}
