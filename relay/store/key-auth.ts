// Authenticating API keys, with an in-process cache of who a key is (team, key id, sender,
// permissions), so a request need not first read the lookup `hf:apikey:<sha256>` (its own
// Cluster slot) before it can touch its team's keys. The cache decides nothing on its own: every
// use checks the key's record in the team's slot (same hash, not revoked, permissions as cached)
// inside the script that counts the request or does the write, so a revocation or permission
// change made through any instance applies to the very next request on every instance, with no
// reliance on pub/sub. A missing or stale entry costs one extra round trip to the lookup.
import { timingSafeEqual } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { CountedPrincipal, Principal } from '../../sdk/api/store.js'
import type { Permissions } from '../../sdk/api/types.js'
import { keys } from './keys.js'
import { runScript } from './scripts.js'
import { hashSecret } from './teams-keys.js'

/** last_used_at is written at most this often per key, so reads do not each cost a write */
const LAST_USED_GRANULARITY_MS = 60_000
const MAX_SECRET_LENGTH = 256
/** entries are re-read from the lookup after this long even if still valid (bounded staleness of the sender name) */
const ENTRY_TTL_MS = 5 * 60_000
const MAX_ENTRIES = 10_000

interface Entry {
  hash: string
  principal: Principal
  /** the permissions as stored (JSON), compared with the record's by the scripts */
  permissionsJson: string
  lastUsedMs: number
  cachedAt: number
  /** built once per entry: a write's key check needs it on every request */
  proof: KeyProof
}

/** What a script needs to check a cached principal against its key record, and count it. */
export interface KeyProof {
  record: string
  counter: string
  hash: string
  permissionsJson: string
}

export class KeyAuth {
  private readonly byHash = new Map<string, Entry>()
  private readonly byPrincipal = new WeakMap<Principal, Entry>()

  constructor(private readonly redis: Redis) {}

  /** The cached principal of a secret, with no round trip; its use must be checked by a script. */
  peek(secret: string): Principal | null {
    if (!validSecret(secret)) return null
    return this.cached(hashSecret(secret))?.principal ?? null
  }

  /** The check-and-count arguments of a principal `peek` returned (undefined otherwise). */
  proof(principal: Principal): KeyProof | undefined {
    return this.byPrincipal.get(principal)?.proof
  }

  /** A script found the key's record changed: read the lookup again next time. */
  forget(principal: Principal): void {
    const entry = this.byPrincipal.get(principal)
    if (entry && this.byHash.get(entry.hash) === entry) this.byHash.delete(entry.hash)
  }

  /** A script used this principal: keep last_used_at roughly current. */
  used(principal: Principal): void {
    const entry = this.byPrincipal.get(principal)
    if (entry) this.touch(entry)
  }

  async authenticate(secret: string): Promise<Principal | null> {
    if (!validSecret(secret)) return null
    const hash = hashSecret(secret)
    const entry = this.cached(hash)
    if (!entry) return (await this.lookup(hash))?.principal ?? null
    // cached: the record still says who the key is (one round trip, as the lookup would be)
    const [storedHash, permissions, revoked] = await this.redis.hmget(
      keys.key(entry.principal.teamId, entry.principal.keyId),
      'hash',
      'permissions',
      'revoked',
    )
    if (storedHash !== hash || revoked === '1' || permissions == null) {
      this.byHash.delete(hash)
      return null
    }
    this.touch(entry)
    return this.withPermissions(entry, permissions).principal
  }

  /** `authenticate` plus the key's rate-limit count (`hfKeyCount`); null for an unknown or revoked key (not counted). */
  async authenticateCounted(secret: string, windowMs: number): Promise<CountedPrincipal | null> {
    if (!validSecret(secret)) return null
    const hash = hashSecret(secret)
    const entry = this.cached(hash) ?? (await this.lookup(hash))
    if (!entry) return null
    const { teamId, keyId } = entry.principal
    const reply = await runScript(
      this.redis,
      'hfKeyCount',
      [keys.key(teamId, keyId), keys.keyHits(teamId, keyId)],
      [hash, entry.permissionsJson, Math.max(1, Math.trunc(windowMs))],
    )
    if (reply.length < 4) {
      this.byHash.delete(hash)
      return null
    }
    this.touch(entry)
    const current = reply[3] ? this.withPermissions(entry, reply[3]) : entry
    return { principal: current.principal, hits: Number(reply[1]), ttlMs: Number(reply[2]) }
  }

  private cached(hash: string): Entry | undefined {
    const entry = this.byHash.get(hash)
    if (entry && Date.now() - entry.cachedAt > ENTRY_TTL_MS) {
      this.byHash.delete(hash)
      return undefined
    }
    return entry
  }

  /** Read the lookup record (constant-time hash check) and cache it. */
  private async lookup(hash: string): Promise<Entry | null> {
    const [teamId, keyId, sender, permissions, storedHash, lastUsed] = await this.redis.hmget(
      keys.apiKey(hash),
      't',
      'k',
      's',
      'p',
      'h',
      'u',
    )
    if (!teamId || !keyId || sender == null || permissions == null || !storedHash) return null
    const a = Buffer.from(storedHash, 'hex')
    const b = Buffer.from(hash, 'hex')
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null
    const entry: Entry = {
      hash,
      principal: { teamId, keyId, sender, permissions: JSON.parse(permissions) as Permissions },
      permissionsJson: permissions,
      lastUsedMs: Number(lastUsed) || 0,
      cachedAt: Date.now(),
      proof: proofOf(teamId, keyId, hash, permissions),
    }
    if (this.byHash.size >= MAX_ENTRIES) {
      // the oldest insertion goes first (Map order): a bounded cache, never a leak
      const oldest = this.byHash.keys().next().value
      if (oldest !== undefined) this.byHash.delete(oldest)
    }
    this.byHash.set(hash, entry)
    this.byPrincipal.set(entry.principal, entry)
    this.touch(entry)
    return entry
  }

  /** The record's permissions differ from the cached ones: a new principal (requests in flight keep theirs). */
  private withPermissions(entry: Entry, permissions: string): Entry {
    if (permissions === entry.permissionsJson) return entry
    const principal = { ...entry.principal, permissions: JSON.parse(permissions) as Permissions }
    const { teamId, keyId } = principal
    const next: Entry = {
      ...entry,
      principal,
      permissionsJson: permissions,
      proof: proofOf(teamId, keyId, entry.hash, permissions),
    }
    if (this.byHash.get(entry.hash) === entry) this.byHash.set(entry.hash, next)
    this.byPrincipal.set(principal, next)
    return next
  }

  private touch(entry: Entry): void {
    const now = Date.now()
    if (now - entry.lastUsedMs <= LAST_USED_GRANULARITY_MS) return
    entry.lastUsedMs = now
    // best effort, at most once a minute per key and instance: a lost update must never fail a request
    const { teamId, keyId } = entry.principal
    const at = new Date(now).toISOString()
    runScript(this.redis, 'hfSetIfExists', [keys.apiKey(entry.hash)], ['u', now]).catch(() => {})
    runScript(this.redis, 'hfSetIfExists', [keys.key(teamId, keyId)], ['last_used_at', at]).catch(() => {})
  }
}

function proofOf(teamId: string, keyId: string, hash: string, permissionsJson: string): KeyProof {
  return { record: keys.key(teamId, keyId), counter: keys.keyHits(teamId, keyId), hash, permissionsJson }
}

function validSecret(secret: string): boolean {
  return typeof secret === 'string' && secret.length > 0 && secret.length <= MAX_SECRET_LENGTH
}
