// Minimal ambient declarations for Holepunch modules that ship no types.
// Each module is typed only as far as this project uses it; widen as needed.
declare module 'hyperdht/testnet.js' {
  interface TestnetNodes {
    bootstrap: Array<{ host: string; port: number }>
    nodes: unknown[]
    destroy(): Promise<void>
  }
  export default function createTestnet(size?: number, opts?: { host?: string }): Promise<TestnetNodes>
}

declare module 'compact-encoding' {
  export interface State {
    start: number
    end: number
    buffer: Buffer | null
  }
  export interface Encoding<T> {
    preencode(state: State, value: T): void
    encode(state: State, value: T): void
    decode(state: State): T
  }
  export const uint: Encoding<number>
  export const string: Encoding<string>
  export const buffer: Encoding<Buffer | null>
  export const fixed32: Encoding<Buffer>
  export const fixed64: Encoding<Buffer>
  export function fixed(n: number): Encoding<Buffer>
  export function array<T>(enc: Encoding<T>): Encoding<T[]>
  export function state(start?: number, end?: number, buffer?: Buffer | null): State
  export function encode<T>(enc: Encoding<T>, value: T): Buffer
  export function decode<T>(enc: Encoding<T>, buffer: Uint8Array): T
}
// --- the node's storage and networking modules (node/): only what node/ calls ---
declare module 'hypercore' {
  import type { EventEmitter } from 'node:events'
  export interface Hypercore extends EventEmitter {
    key: Buffer | null
    discoveryKey: Buffer | null
    length: number
    ready(): Promise<void>
    close(): Promise<void>
  }
  const Hypercore: {
    getProtocolMuxer(stream: unknown): import('protomux').Protomux
  }
  export default Hypercore
}
declare module 'protomux' {
  export interface ProtomuxMessage {
    send(value: unknown): boolean
  }
  export interface ProtomuxChannel {
    open(handshake?: unknown): void
    messages: ProtomuxMessage[]
    close(): void
    closed: boolean
    addMessage(opts: { encoding: unknown; onmessage: (value: never) => void }): ProtomuxMessage
  }
  export interface Protomux {
    createChannel(opts: {
      protocol: string
      id?: Buffer | null
      unique?: boolean
      handshake?: unknown
      onopen?: (handshake: unknown) => void
      onclose?: () => void
    }): ProtomuxChannel | null
    pair(opts: { protocol: string; id?: Buffer | null }, notify: (id: Buffer | null) => void): void
    unpair(opts: { protocol: string; id?: Buffer | null }): void
  }
  /** the stream's mux (its userData), made and stored there on first use */
  const ProtomuxStatic: { from(stream: unknown): Protomux }
  export default ProtomuxStatic
}
declare module 'corestore' {
  import type { Hypercore } from 'hypercore'
  export default class Corestore {
    constructor(storage: string, opts?: Record<string, unknown>)
    ready(): Promise<void>
    close(): Promise<void>
    get(
      opts: string | { name?: string; key?: Buffer; valueEncoding?: string; exclusive?: boolean },
    ): Hypercore
    replicate(stream: unknown, opts?: Record<string, unknown>): unknown
  }
}
declare module 'hyperbee' {
  export interface BeeEntry<V> {
    seq: number
    key: string
    value: V
  }
  export interface BeeRange {
    gt?: string
    gte?: string
    lt?: string
    lte?: string
    reverse?: boolean
    limit?: number
  }
  export interface HyperbeeBatch<V> {
    get(key: string): Promise<BeeEntry<V> | null>
    put(key: string, value: V): Promise<void>
    del(key: string): Promise<void>
    /** the first entry of the range (the last with reverse), as the batch sees it */
    peek(range: BeeRange, opts?: { reverse?: boolean }): Promise<BeeEntry<V> | null>
    flush(): Promise<void>
    close(): Promise<void>
  }
  export default class Hyperbee<V = unknown> {
    constructor(core: unknown, opts?: { keyEncoding?: string; valueEncoding?: string; extension?: boolean })
    readonly core: import('hypercore').Hypercore
    readonly version: number
    ready(): Promise<void>
    close(): Promise<void>
    /** opts.valueEncoding 'binary': the stored bytes (typed V only by the caller's cast) */
    get(key: string, opts?: { valueEncoding?: string }): Promise<BeeEntry<V> | null>
    put(key: string, value: V): Promise<void>
    del(key: string): Promise<void>
    batch(opts?: { update?: boolean }): HyperbeeBatch<V>
    createReadStream(range?: BeeRange, opts?: { valueEncoding?: string }): AsyncIterable<BeeEntry<V>>
    peek(range?: BeeRange): Promise<BeeEntry<V> | null>
    snapshot(): Hyperbee<V>
  }
}
declare module 'autobase' {
  import type { EventEmitter } from 'node:events'
  import type Corestore from 'corestore'
  export interface AutobaseNode {
    value: Buffer | null
    from: { key: Buffer }
    length: number
  }
  export interface AutobaseHost {
    addWriter(key: Buffer, opts?: { indexer?: boolean }): Promise<void>
    removeWriter(key: Buffer): Promise<void>
    removeable(key: Buffer): boolean
    interrupt(reason?: string): void
  }
  export interface AutoStore {
    get(name: string | { name: string; valueEncoding?: string }): unknown
  }
  export interface AutobaseOptions<V> {
    open(store: AutoStore): V
    apply(nodes: AutobaseNode[], view: V, host: AutobaseHost): Promise<void>
    close?(view: V): Promise<void>
    valueEncoding?: string
    ackInterval?: number
    encryptionKey?: Buffer
    fastForward?: boolean
  }
  export default class Autobase<V = unknown> extends EventEmitter {
    constructor(store: Corestore, bootstrap: Buffer | null, opts: AutobaseOptions<V>)
    readonly key: Buffer
    readonly discoveryKey: Buffer
    readonly local: import('hypercore').Hypercore & { key: Buffer }
    readonly view: V
    readonly writable: boolean
    readonly isIndexer: boolean
    readonly length: number
    readonly signedLength: number
    readonly opened: boolean
    readonly closing: boolean
    ready(): Promise<void>
    close(): Promise<void>
    append(value: Buffer | null): Promise<void>
    update(): Promise<void>
    /** no new apply round starts until resume() */
    pause(): void
    /** resolves when the apply round in flight (if any) has ended */
    advance(): Promise<void>
    replicate(stream: unknown): unknown
    static getLocalKey(store: Corestore): Promise<Buffer>
  }
}
declare module 'hyperdht' {
  export default class DHT {
    constructor(opts?: {
      bootstrap?: Array<{ host: string; port: number }> | string[]
      host?: string
      /** false: answer handshakes with our address (no holepunch); default true */
      firewalled?: boolean
    })
    ready(): Promise<void>
    destroy(): Promise<void>
  }
}
declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events'
  import type { Duplex } from 'node:stream'
  import type DHT from 'hyperdht'
  export interface PeerDiscovery {
    flushed(): Promise<void>
    refresh(opts?: { client?: boolean; server?: boolean }): Promise<void>
    destroy(): Promise<void>
  }
  export interface SwarmConnection extends Duplex {
    remotePublicKey: Buffer
    publicKey: Buffer
    /** the Noise handshake hash: the same on both ends of one connection */
    handshakeHash: Buffer
    setKeepAlive(ms: number): void
  }
  export default class Hyperswarm extends EventEmitter {
    constructor(opts?: {
      dht?: DHT
      seed?: Buffer
      bootstrap?: Array<{ host: string; port: number }> | string[]
      /** true: refuse a connection with this remote (its peer is banned from then on) */
      firewall?: (remotePublicKey: Buffer) => boolean
    })
    readonly keyPair: { publicKey: Buffer; secretKey: Buffer }
    readonly connections: Set<SwarmConnection>
    joinPeer(publicKey: Buffer): void
    leavePeer(publicKey: Buffer): void
    join(topic: Buffer, opts?: { server?: boolean; client?: boolean }): PeerDiscovery
    leave(topic: Buffer): Promise<void>
    flush(): Promise<void>
    destroy(): Promise<void>
  }
}
declare module 'z32' {
  const z32: { encode(buf: Uint8Array): string; decode(s: string): Buffer }
  export default z32
}
