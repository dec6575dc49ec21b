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
