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
  export function state(start?: number, end?: number, buffer?: Buffer | null): State
  export function encode<T>(enc: Encoding<T>, value: T): Buffer
  export function decode<T>(enc: Encoding<T>, buffer: Uint8Array): T
}
