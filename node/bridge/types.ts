// The relay bridge's options and the state it reports (GET /api/node/status `relay`).
import type Corestore from 'corestore'
import type { RetryOptions } from '../../sdk/client/backoff.js'
import type { TeamLog } from '../log/team-log.js'
import type { NodeStore } from '../store.js'
import type { GatewayStats } from './messages.js'

export interface RelayBridgeOptions {
  dataDir: string
  /** relay base URL */
  url: string
  /** a relay API key with "*": write (push) and read (pull) */
  key: string
  /** hex team id: the relay sync space */
  teamId: string
  log: TeamLog
  corestore: Corestore
  /** the node's store: with it, messages also cross to and from HTTP-only relay clients (messages.ts) */
  store?: NodeStore
  /** how often relay channels are polled for HTTP clients' messages (default 2 s) */
  pollMs?: number
  /** backoff between failed attempts (default 500 ms doubling to 30 s) */
  retry?: RetryOptions
  /** failures worth a log line (the node decides where they go) */
  onWarning?: (err: Error) => void
}

export type BridgeState = 'starting' | 'connected' | 'disconnected' | 'closed'

/** `handoff status` / GET /api/node/status `relay` */
export interface BridgeStatus {
  configured: true
  url: string
  state: BridgeState
  connected: boolean
  space: string
  push: {
    /** autobase writer key -> blocks pushed */
    cursors: Record<string, number>
    /** envelopes sent (this run) */
    sent: number
    /** log blocks held here and not yet pushed: the push lag */
    pending: number
    last_at: string | null
  }
  pull: {
    /** the relay sync-log cursor of the last envelope read */
    cursor: string
    /** envelopes read (this run), and those of them appended to this node's log */
    received: number
    applied: number
    last_at: string | null
  }
  /** push lag in log blocks (pull lag is what the relay has past pull.cursor; a live stream keeps it 0) */
  lag: number
  /** messages posted to relay channels / imported from them (null: message bridging off) */
  messages: GatewayStats | null
  last_error: string | null
}
