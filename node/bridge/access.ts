// Relay access for a member who joined through the relay: the inviter mints it a relay API key
// with its own (sent inside the sealed pairing answer), and the joiner keeps URL and key in
// DIR/relay.json (mode 0600) so `handoff node --data DIR` bridges with no flags.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { jsonOrThrow } from '../../sdk/client/http.js'
import { writeFileAtomic } from '../data-dir.js'
import type { Role } from '../view/records.js'

export interface RelayAccess {
  url: string
  key: string
}

/** A running bridge's access by its team log, for the invite host (node/invites.ts). */
const bridged = new WeakMap<object, RelayAccess & { signal: AbortSignal }>()

export function registerBridge(log: object, access: RelayAccess, signal: AbortSignal): void {
  bridged.set(log, { ...access, signal })
}

export const bridgedAccess = (log: object) => bridged.get(log) ?? null

export const relayConfigFile = (dir: string) => join(dir, 'relay.json')

export async function readRelayAccess(dir: string): Promise<RelayAccess | null> {
  try {
    const saved = JSON.parse(await readFile(relayConfigFile(dir), 'utf8')) as Partial<RelayAccess>
    return typeof saved.url === 'string' && typeof saved.key === 'string'
      ? { url: saved.url, key: saved.key }
      : null
  } catch {
    return null
  }
}

export const writeRelayAccess = (dir: string, access: RelayAccess) =>
  writeFileAtomic(relayConfigFile(dir), `${JSON.stringify(access)}\n`)

/**
 * A relay key for a new member, made with the inviter's bridge key (which needs "*": admin on
 * the relay). It carries the member's team role and no more: an admin's bridge may mint ack keys
 * for other senders and delete any author's relay copy; a member's or a reader's gets write,
 * which its bridge needs to push envelopes, post mirrors and ack as itself. A member's key cannot
 * touch the team's other relay keys, settings or audit log.
 */
export async function mintRelayKey(
  access: RelayAccess,
  name: string,
  role: Role,
): Promise<{ key: string; id: string | null }> {
  const made = await relayCall<{ api_key: string }>(access, 'POST', '/api/keys', {
    sender_name: name,
    permissions: { '*': role === 'admin' ? 'admin' : 'write' },
  })
  // the answer has no key id; the newest live key of that name is it (kept to revoke it later)
  const listed = await relayCall<
    Array<{ key: string; sender: string; created_at: string; revoked?: boolean }>
  >(access, 'GET', '/api/keys').catch(() => [])
  const mine = listed.filter((k) => k.sender === name && !k.revoked)
  mine.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
  return { key: made.api_key, id: mine.at(-1)?.key ?? null }
}

/** Revokes a relay key by id (a removed member's); one already gone is fine. */
export async function revokeRelayKey(access: RelayAccess, id: string): Promise<void> {
  await relayCall(access, 'DELETE', `/api/keys/${encodeURIComponent(id)}`).catch((err) => {
    if ((err as { status?: number }).status !== 404) throw err
  })
}

async function relayCall<T>(access: RelayAccess, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${access.url.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${access.key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  return jsonOrThrow<T>(res)
}
