// One subscriber connection per relay instance, shared by every open stream and key watcher:
// handlers are reference-counted per pub/sub channel, so 1,000 streams of one channel cost one
// SUBSCRIBE. ioredis re-subscribes after a reconnect; `onReconnect` lets feeds catch up on
// whatever was published while the connection was down (pub/sub does not buffer), and
// `onDisconnect` lets them report that they cannot hear anything (nor key revocations) meanwhile.
import type { Redis } from 'ioredis'

type Handler = (message: string) => void

export class PubSub {
  private readonly handlers = new Map<string, Set<Handler>>()
  private readonly pending = new Map<string, Promise<unknown>>()
  private readonly reconnectHandlers = new Set<() => void>()
  private readonly disconnectHandlers = new Set<() => void>()
  private connectedOnce = false
  /** true from a lost connection until it is ready again, so one outage is reported once */
  private down = false

  constructor(private readonly sub: Redis) {
    // the store connects before it builds this: a connection already up counts as the first one
    this.connectedOnce = sub.status === 'ready'
    sub.on('message', (channel: string, message: string) => {
      const set = this.handlers.get(channel)
      if (set) for (const h of [...set]) h(message)
    })
    sub.on('ready', () => {
      this.down = false
      if (!this.connectedOnce) {
        this.connectedOnce = true
        return
      }
      for (const h of [...this.reconnectHandlers]) h()
    })
    sub.on('close', () => {
      if (!this.connectedOnce || this.down) return
      this.down = true
      for (const h of [...this.disconnectHandlers]) h()
    })
  }

  /** Resolves once the subscription is active, so nothing published after it can be missed. */
  async subscribe(channel: string, handler: Handler): Promise<() => void> {
    let set = this.handlers.get(channel)
    if (!set) {
      set = new Set()
      this.handlers.set(channel, set)
      this.pending.set(channel, this.sub.subscribe(channel))
    }
    set.add(handler)
    await this.pending.get(channel)
    return () => this.unsubscribe(channel, handler)
  }

  private unsubscribe(channel: string, handler: Handler): void {
    const set = this.handlers.get(channel)
    if (!set) return
    set.delete(handler)
    if (set.size > 0) return
    this.handlers.delete(channel)
    this.pending.delete(channel)
    // queued while disconnected, so a reconnect does not re-subscribe a channel nobody wants
    this.sub.unsubscribe(channel).catch(() => {})
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler)
    return () => this.reconnectHandlers.delete(handler)
  }

  /** `handler` runs once each time the subscriber connection is lost (not on a deliberate close of the store: it unregisters first). */
  onDisconnect(handler: () => void): () => void {
    this.disconnectHandlers.add(handler)
    return () => this.disconnectHandlers.delete(handler)
  }
}
