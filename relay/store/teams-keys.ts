// Teams and API keys. A secret is `hf_` + 24 random bytes (192 bits, base64url), shown once and
// stored only as its SHA-256. Two records per key:
//  - the key record in the team (`hf:{team}:key:<id>`): the source of truth GET /api/keys lists;
//  - the lookup `hf:apikey:<sha256>` (one key, any slot): team, key id, sender, permissions and
//    the hash again (compared in constant time), so authenticating costs ONE Redis round trip.
// Authentication (key-auth.ts) reads the lookup, caches who the key is, and checks the record on
// every use: a revocation deletes the lookup and marks the record, a permission change rewrites
// both, before the call returns; either holds on every relay instance from that moment on.
import { hash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { ApiError } from '../../sdk/api/errors.js'
import type { KeyChange } from '../../sdk/api/store.js'
import type {
  CreateKeyResponse,
  KeyInfo,
  Permissions,
  SignupResponse,
  Team,
  TeamSettings,
} from '../../sdk/api/types.js'
import { nowIso } from './ids.js'
import { keys, LIMITS } from './keys.js'
import { runScript } from './scripts.js'

const DEFAULT_PERMISSIONS: Permissions = { '*': 'admin' }

export function hashSecret(secret: string): string {
  // the one-shot form: no Hash object per request
  return hash('sha256', secret, 'hex')
}

function newSecret(): string {
  return `hf_${randomBytes(24).toString('base64url')}`
}

export async function createTeam(redis: Redis, name: string): Promise<Team> {
  const team: Team = { id: randomBytes(12).toString('hex'), name, created_at: nowIso() }
  await redis.hset(keys.team(team.id), { id: team.id, name: team.name, created_at: team.created_at })
  return team
}

export async function signup(
  redis: Redis,
  teamName: string,
  senderName: string,
  maxKeys: number = LIMITS.keysPerTeam,
): Promise<SignupResponse> {
  const team = await createTeam(redis, teamName)
  const { api_key } = await createKey(redis, team.id, senderName, undefined, maxKeys)
  return { team, api_key }
}

export async function createKey(
  redis: Redis,
  teamId: string,
  sender: string,
  permissions: Permissions | undefined,
  maxKeys: number = LIMITS.keysPerTeam,
): Promise<CreateKeyResponse> {
  const secret = newSecret()
  const hash = hashSecret(secret)
  const keyId = randomBytes(8).toString('hex')
  const perms = permissions ?? DEFAULT_PERMISSIONS
  const now = Date.now()
  await runScript(
    redis,
    'hfCreateKey',
    [keys.team(teamId), keys.key(teamId, keyId), keys.activeKeyIds(teamId), keys.keyIds(teamId)],
    [keyId, hash, sender, JSON.stringify(perms), new Date(now).toISOString(), now, maxKeys],
  )
  // The lookup is written last: until it exists the key simply does not authenticate yet.
  await redis.hset(keys.apiKey(hash), { t: teamId, k: keyId, s: sender, p: JSON.stringify(perms), h: hash })
  const response: CreateKeyResponse = { api_key: secret, sender, key_id: keyId }
  // echoed only when the caller gave them, as the seed (null counts as not given)
  if (permissions != null) response.permissions = permissions
  return response
}

export async function listKeys(redis: Redis, teamId: string): Promise<KeyInfo[]> {
  const ids = await redis.zrange(keys.keyIds(teamId), 0, -1)
  if (ids.length === 0) return []
  const pipe = redis.pipeline()
  for (const id of ids) pipe.hgetall(keys.key(teamId, id))
  const results = (await pipe.exec()) ?? []
  const out: KeyInfo[] = []
  for (const [err, value] of results) {
    const rec = value as Record<string, string> | null
    if (err || !rec || !rec.id) continue
    out.push({
      key: rec.id,
      sender: rec.sender ?? '',
      permissions: JSON.parse(rec.permissions ?? '{}') as Permissions,
      created_at: rec.created_at ?? '',
      last_used_at: rec.last_used_at ?? null,
      revoked: rec.revoked === '1',
    })
  }
  return out
}

const KEY_ID_RE = /^[0-9a-f]{16}$/

async function hashOf(redis: Redis, teamId: string, keyId: string): Promise<string> {
  const hash = KEY_ID_RE.test(keyId) ? await redis.hget(keys.key(teamId, keyId), 'hash') : null
  if (!hash) throw new ApiError('KEY_NOT_FOUND', 'API key not found')
  return hash
}

export async function updateKeyPermissions(
  redis: Redis,
  teamId: string,
  keyId: string,
  permissions: Permissions,
): Promise<void> {
  const hash = await hashOf(redis, teamId, keyId)
  const json = JSON.stringify(permissions)
  // the record first only to refuse a revoked key; then the lookup, which is what auth reads
  await runScript(redis, 'hfUpdateKey', [keys.key(teamId, keyId), keys.activeKeyIds(teamId)], [keyId, json])
  await runScript(redis, 'hfSetIfExists', [keys.apiKey(hash)], ['p', json])
  const change: KeyChange = { type: 'permissions', keyId, permissions }
  await redis.publish(keys.keyEvents(teamId), JSON.stringify(change))
}

export async function revokeKey(redis: Redis, teamId: string, keyId: string): Promise<void> {
  const hash = await hashOf(redis, teamId, keyId)
  // the lookup goes first: from this reply on no instance authenticates the key
  await redis.del(keys.apiKey(hash))
  await runScript(redis, 'hfUpdateKey', [keys.key(teamId, keyId), keys.activeKeyIds(teamId)], [keyId, ''])
  const change: KeyChange = { type: 'revoked', keyId }
  await redis.publish(keys.keyEvents(teamId), JSON.stringify(change))
}

export async function getTeamSettings(redis: Redis, teamId: string): Promise<TeamSettings> {
  const value = await redis.hget(keys.team(teamId), 'encryption_required')
  return { encryption_required: value === '1' }
}

export async function updateTeamSettings(
  redis: Redis,
  teamId: string,
  patch: Partial<TeamSettings>,
): Promise<TeamSettings> {
  if (patch.encryption_required !== undefined) {
    await redis.hset(keys.team(teamId), 'encryption_required', patch.encryption_required ? '1' : '0')
  }
  return getTeamSettings(redis, teamId)
}
