// Teams and API keys. A secret is `hf_` + 24 random bytes (192 bits, base64url), shown once and
// stored only as its SHA-256. The global lookup `hf:apikey:<sha256>` names the team and key id;
// the key record in the team holds the hash again, compared in constant time, plus the sender,
// permissions and revocation flag. Every request reads the record from Redis: nothing is cached,
// so a revocation or permission change on one relay instance holds on all of them at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Redis } from 'ioredis'
import { ApiError } from '../../sdk/api/errors.js'
import type { KeyChange, Principal } from '../../sdk/api/store.js'
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
/** last_used_at is written at most this often per key, so reads do not each cost a write */
const LAST_USED_GRANULARITY_MS = 60_000
const MAX_SECRET_LENGTH = 256

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
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
  await redis.set(keys.apiKey(hash), `${teamId}:${keyId}`)
  const response: CreateKeyResponse = { api_key: secret, sender, key_id: keyId }
  if (permissions !== undefined) response.permissions = permissions
  return response
}

export async function authenticate(redis: Redis, secret: string): Promise<Principal | null> {
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return null
  const hash = hashSecret(secret)
  const ref = await redis.get(keys.apiKey(hash))
  if (!ref) return null
  const sep = ref.indexOf(':')
  const teamId = ref.slice(0, sep)
  const keyId = ref.slice(sep + 1)
  const [storedHash, sender, permissions, revoked, lastUsed] = await redis.hmget(
    keys.key(teamId, keyId),
    'hash',
    'sender',
    'permissions',
    'revoked',
    'last_used_at',
  )
  if (!storedHash || sender == null || permissions == null || revoked === '1') return null
  const a = Buffer.from(storedHash, 'hex')
  const b = Buffer.from(hash, 'hex')
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null
  const now = Date.now()
  if (!lastUsed || now - Date.parse(lastUsed) > LAST_USED_GRANULARITY_MS) {
    // best effort: a lost last_used_at update must never fail the request
    redis.hset(keys.key(teamId, keyId), 'last_used_at', new Date(now).toISOString()).catch(() => {})
  }
  return { teamId, keyId, sender, permissions: JSON.parse(permissions) as Permissions }
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

async function changeKey(redis: Redis, teamId: string, keyId: string, change: KeyChange): Promise<string> {
  if (!/^[0-9a-f]{16}$/.test(keyId)) throw new ApiError('KEY_NOT_FOUND', 'API key not found')
  const permissions = change.type === 'permissions' ? JSON.stringify(change.permissions) : ''
  const [, hash] = await runScript(
    redis,
    'hfUpdateKey',
    [keys.key(teamId, keyId), keys.activeKeyIds(teamId)],
    [keyId, permissions, keys.keyEvents(teamId), JSON.stringify(change)],
  )
  return hash ?? ''
}

export async function updateKeyPermissions(
  redis: Redis,
  teamId: string,
  keyId: string,
  permissions: Permissions,
): Promise<void> {
  await changeKey(redis, teamId, keyId, { type: 'permissions', keyId, permissions })
}

export async function revokeKey(redis: Redis, teamId: string, keyId: string): Promise<void> {
  const hash = await changeKey(redis, teamId, keyId, { type: 'revoked', keyId })
  // The record is already marked revoked (authenticate refuses it); dropping the lookup frees memory.
  if (hash) await redis.del(keys.apiKey(hash))
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
