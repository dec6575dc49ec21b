// Who the bridge's relay key is (GET /api/whoami, asked once and remembered): its sender name,
// and whether it may act for others. Only a key with "*": admin may mint per-sender ack keys and
// delete relay copies another key posted; a member's key (node/bridge/access.ts) may not.

import type { Permissions } from '../../sdk/api/types.js'
import { hasPermission } from '../../sdk/server/permissions.js'
import type { RelayCaller } from './http.js'

export interface RelayIdentity {
  sender: string
  admin: boolean
}

export class RelayWhoami {
  private asked: Promise<RelayIdentity> | null = null

  constructor(private readonly http: RelayCaller) {}

  get(): Promise<RelayIdentity> {
    this.asked ??= this.http
      .call<{ sender: string; permissions: Permissions }>('GET', '/api/whoami')
      .then((w) => ({ sender: w.sender, admin: hasPermission(w.permissions, '*', 'admin') }))
    // a failed ask is asked again next time
    this.asked.catch(() => {
      this.asked = null
    })
    return this.asked
  }
}
