// The node's relay bridge (docs/node.md, "Relay bridge").
export { RelayBridge } from './bridge.js'
export { bridgeFile } from './state.js'
export type { BridgeState, BridgeStatus, RelayBridgeOptions } from './types.js'
