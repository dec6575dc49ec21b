// Teardown for the bridge tests: each step (closing nodes, relays, the testnet) is bounded; a step
// that overruns is named on stderr and the teardown goes on. "stop relays" used to overrun: a
// node bridge closing mid-reconnect left a connection with no request on it, which Node's
// server.close() waits on forever; the relay now ends such connections when it closes
// (relay/quiet-close.ts). The bound stays, so a new leak is named instead of hanging the file.
import { stopAllRelays } from '../../relay/test/relays.js'
import { closeAll, type TestNode, type Testnet } from './helpers.js'

export async function bounded(what: string, step: Promise<unknown>, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms)
  })
  const outcome = await Promise.race([step.then(() => 'done' as const), late])
  clearTimeout(timer)
  if (outcome === 'late') console.warn(`bridge test teardown: "${what}" did not settle within ${ms} ms`)
}

/** Everything a bridge test opened: its nodes, the relays, the testnet if it had one. */
export async function tearDown(nodes: TestNode[], testnet?: Testnet): Promise<void> {
  await bounded('close nodes', closeAll(nodes))
  await bounded('stop relays', stopAllRelays())
  if (testnet) await bounded('destroy testnet', testnet.destroy())
}
