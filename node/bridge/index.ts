// The node's relay bridge (docs/node.md, "Relay bridge").
export { type BridgeState, type BridgeStatus, RelayBridge, type RelayBridgeOptions } from './bridge.js'
export { bridgeFile } from './state.js'
