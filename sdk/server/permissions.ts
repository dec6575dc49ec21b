// Permission checks (SPEC section 3): a key's map names channels or "*"; a channel's own entry wins
// over "*" (as the seed, so {"*": "admin", "secrets": "read"} makes "secrets" read-only); admin
// implies write implies read; an empty map grants nothing. Every denial is audited.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { ApiError } from '../api/errors.js'
import type { HandoffStore, Principal } from '../api/store.js'
import type { PermissionLevel, Permissions } from '../api/types.js'
import { pathOf } from './auth.js'

const RANK: Record<PermissionLevel, number> = { read: 1, write: 2, admin: 3 }

export function grantedLevel(permissions: Permissions, channel: string): PermissionLevel | null {
  if (Object.hasOwn(permissions, channel)) return permissions[channel] ?? null
  if (Object.hasOwn(permissions, '*')) return permissions['*'] ?? null
  return null
}

export function hasPermission(permissions: Permissions, channel: string, level: PermissionLevel): boolean {
  const granted = grantedLevel(permissions, channel)
  return granted !== null && (RANK[granted] ?? 0) >= RANK[level]
}

// Denials already in the audit log, so a FORBIDDEN passing through several layers is recorded once.
const audited = new WeakSet<ApiError>()

/** Record a denial in the audit log. A failing audit write is logged, never a 500. */
export async function recordDenial(
  store: HandoffStore,
  log: FastifyBaseLogger,
  request: FastifyRequest,
  principal: Principal,
  channel: string,
): Promise<void> {
  try {
    await store.recordAudit(principal.teamId, {
      // As the seed: the audit log names a key by the id GET /api/keys lists (a hash, never the
      // secret), so an admin can find which key was refused and fix or revoke it.
      key_hash: principal.keyId,
      sender_name: principal.sender,
      action: `${request.method} ${pathOf(request.url)}`,
      channel,
      result: 'denied',
    })
  } catch (err) {
    log.error({ err }, 'could not record a permission denial in the audit log')
  }
}

/** Record the denial, then throw 403 FORBIDDEN. */
export async function deny(
  store: HandoffStore,
  log: FastifyBaseLogger,
  request: FastifyRequest,
  principal: Principal,
  channel: string,
): Promise<never> {
  await recordDenial(store, log, request, principal, channel)
  const err = new ApiError('FORBIDDEN', 'Insufficient permissions for this channel')
  audited.add(err)
  throw err
}

/** A FORBIDDEN thrown by a store (e.g. deleting another sender's message) is audited here. */
export async function auditStoreDenial(
  store: HandoffStore,
  request: FastifyRequest,
  principal: Principal | null,
  channel: string,
  err: unknown,
): Promise<void> {
  if (!(err instanceof ApiError) || err.code !== 'FORBIDDEN' || audited.has(err) || !principal) return
  audited.add(err)
  await recordDenial(store, request.log, request, principal, channel)
}

export async function requirePermission(
  store: HandoffStore,
  request: FastifyRequest,
  principal: Principal,
  channel: string,
  level: PermissionLevel,
): Promise<void> {
  if (!hasPermission(principal.permissions, channel, level)) {
    await deny(store, request.log, request, principal, channel)
  }
}
