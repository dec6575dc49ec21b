// A private DHT on loopback (hyperdht/testnet): peer tests bootstrap from it, never the public DHT.
import createTestnet from 'hyperdht/testnet.js'

export interface Testnet {
  /** host:port pairs to pass as --bootstrap / bootstrap option */
  bootstrap: Array<{ host: string; port: number }>
  destroy(): Promise<void>
}

export async function startTestnet(size = 3): Promise<Testnet> {
  const testnet = await createTestnet(size, { host: '127.0.0.1' })
  return {
    bootstrap: testnet.bootstrap,
    destroy: () => testnet.destroy(),
  }
}
