// The pure part of wait_for_messages: which messages wake the agent, and where each channel's
// cursor moves. No I/O here, so the rules are tested directly.
import type { Message } from '../../sdk/api/types.js'

export interface WakeFilter {
  /** the caller's own sender name: its own posts never wake it */
  me: string
  mentionsOnly: boolean
}

export function wakes(message: Message, filter: WakeFilter): boolean {
  if (message.sender === filter.me) return false
  return !filter.mentionsOnly || message.mention === filter.me
}

/**
 * Collects one channel's messages from the catch-up read and the live stream, which overlap:
 * the stream starts before the catch-up read, so a message may arrive both ways.
 */
export class ChannelCollector {
  private readonly seen = new Set<string>()
  private readonly caughtUp = new Set<string>()
  private lastCaughtUp: string | null = null
  private lastLive: string | null = null
  readonly matches: Message[] = []

  constructor(
    readonly channel: string,
    private readonly filter: WakeFilter,
  ) {}

  /** Messages of the catch-up read, in log order. */
  addCaughtUp(messages: Message[]): void {
    for (const m of messages) {
      this.caughtUp.add(m.id)
      this.lastCaughtUp = m.id
      this.take(m)
    }
    // A live message that arrived before the read is in it, and the read's last id is newer.
    if (this.lastLive !== null && this.caughtUp.has(this.lastLive)) this.lastLive = null
  }

  /** One message from the live stream. */
  addLive(message: Message): void {
    if (message.channel !== this.channel) return
    this.take(message)
    if (!this.caughtUp.has(message.id)) this.lastLive = message.id
  }

  /**
   * The newest message id seen. A live message the catch-up read did not return was posted after
   * that read, so it is newer than everything the read returned.
   */
  cursor(): string | null {
    return this.lastLive ?? this.lastCaughtUp
  }

  private take(m: Message): void {
    if (this.seen.has(m.id)) return
    this.seen.add(m.id)
    if (wakes(m, this.filter)) this.matches.push(m)
  }
}
