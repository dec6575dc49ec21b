// The peers a node remembers (DIR/peers.json): swarm keys of team members it met, dialled
// directly on the next start. Saved at most once a second.
import { readPeers, writePeers } from './data-dir.js'

export class PeerBook {
  private timer: NodeJS.Timeout | null = null

  private constructor(
    private readonly dir: string,
    private readonly keys: string[],
  ) {}

  static async open(dir: string): Promise<PeerBook> {
    return new PeerBook(dir, await readPeers(dir))
  }

  list(except?: Buffer): Buffer[] {
    const self = except?.toString('hex')
    return this.keys.filter((k) => k !== self).map((k) => Buffer.from(k, 'hex'))
  }

  add(publicKey: Buffer): void {
    const hex = publicKey.toString('hex')
    const i = this.keys.indexOf(hex)
    if (i !== -1) this.keys.splice(i, 1)
    this.keys.push(hex) // most recent last; the file keeps the newest 64
    this.save()
  }

  private save(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null
      writePeers(this.dir, this.keys).catch(() => {})
    }, 1000)
    this.timer.unref()
  }

  /** Forget a peer (its device was removed from the team). */
  remove(publicKey: Buffer): void {
    const i = this.keys.indexOf(publicKey.toString('hex'))
    if (i === -1) return
    this.keys.splice(i, 1)
    this.save()
  }

  async flush(): Promise<void> {
    if (!this.timer) return
    clearTimeout(this.timer)
    this.timer = null
    await writePeers(this.dir, this.keys).catch(() => {})
  }
}
