// watchKeys over Redis pub/sub: revokeKey and updateKeyPermissions publish on the team's key
// channel from inside their script, so every relay instance's open streams hear it at once.
// A change published before the SUBSCRIBE is active would be missed, so once it is active the
// watcher is replayed the team's current key state (bounded by the keys the team ever had).
import type { Redis } from 'ioredis'
import type { KeyChange } from '../../sdk/api/store.js'
import { keys } from './keys.js'
import type { PubSub } from './pubsub.js'
import { listKeys } from './teams-keys.js'

export function watchKeys(
  redis: Redis,
  pubsub: PubSub,
  teamId: string,
  listener: (change: KeyChange) => void,
): () => void {
  let closed = false
  let unsubscribe: (() => void) | undefined
  const deliver = (change: KeyChange) => {
    if (closed) return
    try {
      listener(change)
    } catch {
      // a listener's failure is its own; the watch goes on
    }
  }
  pubsub
    .subscribe(keys.keyEvents(teamId), (message) => {
      try {
        deliver(JSON.parse(message) as KeyChange)
      } catch {
        // not ours: ignore malformed payloads
      }
    })
    .then(async (unsub) => {
      if (closed) return unsub()
      unsubscribe = unsub
      for (const key of await listKeys(redis, teamId)) {
        deliver(
          key.revoked
            ? { type: 'revoked', keyId: key.key }
            : { type: 'permissions', keyId: key.key, permissions: key.permissions },
        )
      }
    })
    .catch(() => {})
  return () => {
    closed = true
    unsubscribe?.()
  }
}
