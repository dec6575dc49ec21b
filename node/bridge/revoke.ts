// Relay access ends with membership: the relay keys an inviting node minted for members who
// joined through the relay (access.ts) are revoked on the relay once the view shows that member
// removed. Checked after log updates (at most once a second) while the bridge runs; a failed
// revoke is tried again at the next check.

import type { NodeStore } from '../store.js'
import { memberKey } from '../view/keys.js'
import type { MemberRecord } from '../view/records.js'
import { type RelayAccess, revokeRelayKey } from './access.js'

export interface MintedKey {
  /** the member's device key (hex) */
  member: string
  /** the relay key id */
  id: string
}

const CHECK_MS = 1_000

export function revokeOnRemoval(
  store: NodeStore,
  access: RelayAccess,
  signal: AbortSignal,
  minted: () => MintedKey[],
  onRevoked: (key: MintedKey) => Promise<void>,
  onError: (err: unknown) => void = () => {},
): void {
  let timer: NodeJS.Timeout | null = null
  let running = false
  const check = async () => {
    if (running || signal.aborted) return
    running = true
    try {
      for (const k of minted()) {
        const record = (await store.reader.get<MemberRecord>(memberKey(k.member))) ?? null
        if (!record?.removed) continue
        await revokeRelayKey(access, k.id)
        await onRevoked(k)
      }
    } catch (err) {
      onError(err)
    } finally {
      running = false
    }
  }
  const soon = () => {
    timer ??= setTimeout(() => {
      timer = null
      void check()
    }, CHECK_MS)
  }
  store.log.on('update', soon)
  signal.addEventListener(
    'abort',
    () => {
      store.log.off('update', soon)
      if (timer) clearTimeout(timer)
    },
    { once: true },
  )
  soon()
}
