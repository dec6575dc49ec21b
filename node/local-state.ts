// Node-local state that is not the team's business and never replicates: the API keys of this
// node's agents (stored as SHA-256, the secret shown once), the audit log of permission denials
// on this node, and pending invites. A hyperbee on its own core of the node's corestore: durable
// like the log. Every value is sealed (XChaCha20-Poly1305, its key as associated data) with a key
// derived from the device key in identity.json, so a copied data dir without the key file shows
// neither sender names nor invite secrets.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type Corestore from 'corestore'
import Hyperbee, { type BeeRange } from 'hyperbee'
import sodium from 'sodium-native'
import { ApiError } from '../sdk/api/errors.js'
import type { KeyChange, PageQuery, Principal } from '../sdk/api/store.js'
import type { AuditEntry, AuditPage, CreateKeyResponse, KeyInfo, Permissions } from '../sdk/api/types.js'
import { seqKey } from './view/keys.js'

interface KeyRecord {
  hash: string
  sender: string
  permissions: Permissions
  created_at: string
  last_used_at: string | null
  revoked: boolean
}

type LocalValue = KeyRecord | AuditEntry | string | number

const DEFAULT_PERMISSIONS: Permissions = { '*': 'admin' }
const MAX_KEYS = 1000
const LAST_USED_GRANULARITY_MS = 60_000

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export function newSecret(): string {
  return `hf_${randomBytes(24).toString('base64url')}`
}

/** A hyperbee whose values are sealed JSON; keys stay in clear (ids, sequence numbers). */
export class SealedBee<V> {
  constructor(
    private readonly bee: Hyperbee<Buffer>,
    private readonly key: Buffer,
  ) {}

  private seal(key: string, value: V): Buffer {
    const nonce = Buffer.alloc(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    sodium.randombytes_buf(nonce)
    const plain = Buffer.from(JSON.stringify(value))
    const out = Buffer.alloc(plain.byteLength + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, plain, Buffer.from(key), null, nonce, this.key)
    return Buffer.concat([nonce, out])
  }

  private open(key: string, sealed: Buffer): V {
    const n = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
    const plain = Buffer.alloc(sealed.byteLength - n - sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      plain,
      null,
      sealed.subarray(n),
      Buffer.from(key),
      sealed.subarray(0, n),
      this.key,
    )
    return JSON.parse(plain.toString()) as V
  }

  put(key: string, value: V): Promise<void> {
    return this.bee.put(key, this.seal(key, value))
  }

  async *range(range: BeeRange): AsyncIterable<{ key: string; value: V }> {
    for await (const { key, value } of this.bee.createReadStream(range))
      yield { key, value: this.open(key, value) }
  }

  async last(range: BeeRange): Promise<string | null> {
    return (await this.bee.peek({ ...range, reverse: true }))?.key ?? null
  }
}

export class LocalState {
  private readonly core: Hyperbee<Buffer>
  readonly bee: SealedBee<LocalValue>
  /** key id -> record, and hash -> key id: every request authenticates from memory */
  private readonly keys = new Map<string, KeyRecord>()
  private readonly byHash = new Map<string, string>()
  private readonly watchers = new Set<(change: KeyChange) => void>()
  private auditSeq = 0

  constructor(
    store: Corestore,
    private readonly teamId: string,
    sealKey: Buffer,
  ) {
    this.core = new Hyperbee<Buffer>(store.get({ name: 'handoff-local' }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'binary',
    })
    this.bee = new SealedBee<LocalValue>(this.core, sealKey)
  }

  async ready(): Promise<void> {
    await this.core.ready()
    for await (const { key, value } of this.bee.range({ gt: 'k/', lt: 'k0' })) {
      const record = value as KeyRecord
      const id = key.slice(2)
      this.keys.set(id, record)
      if (!record.revoked) this.byHash.set(record.hash, id)
    }
    const last = await this.bee.last({ gt: 'a/', lt: 'a0' })
    this.auditSeq = last ? Number(last.slice(2)) : 0
  }

  get keyCount(): number {
    return this.keys.size
  }

  async createKey(
    sender: string,
    permissions: Permissions | undefined,
  ): Promise<CreateKeyResponse & { key_id: string }> {
    if (this.keys.size >= MAX_KEYS)
      throw new ApiError('KEY_LIMIT_REACHED', `A node holds at most ${MAX_KEYS} keys`)
    const secret = newSecret()
    const hash = hashSecret(secret)
    const id = randomBytes(8).toString('hex')
    const record: KeyRecord = {
      hash,
      sender,
      permissions: permissions ?? DEFAULT_PERMISSIONS,
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked: false,
    }
    await this.bee.put(`k/${id}`, record)
    this.keys.set(id, record)
    this.byHash.set(hash, id)
    const response: CreateKeyResponse & { key_id: string } = { api_key: secret, sender, key_id: id }
    if (permissions !== undefined) response.permissions = permissions
    return response
  }

  authenticate(secret: string): Principal | null {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 256) return null
    const hash = hashSecret(secret)
    const id = this.byHash.get(hash)
    const record = id ? this.keys.get(id) : undefined
    if (!id || !record || record.revoked) return null
    if (!timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex'))) return null
    const now = Date.now()
    if (!record.last_used_at || now - Date.parse(record.last_used_at) > LAST_USED_GRANULARITY_MS) {
      record.last_used_at = new Date(now).toISOString()
      this.bee.put(`k/${id}`, record).catch(() => {}) // best effort: never fails a request
    }
    return { teamId: this.teamId, keyId: id, sender: record.sender, permissions: record.permissions }
  }

  listKeys(): KeyInfo[] {
    return [...this.keys.entries()]
      .map(([key, r]) => ({
        key,
        sender: r.sender,
        permissions: r.permissions,
        created_at: r.created_at,
        last_used_at: r.last_used_at,
        revoked: r.revoked,
      }))
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
  }

  private record(keyId: string): KeyRecord {
    const record = this.keys.get(keyId)
    if (!record) throw new ApiError('KEY_NOT_FOUND', 'API key not found')
    return record
  }

  async updatePermissions(keyId: string, permissions: Permissions): Promise<void> {
    const record = this.record(keyId)
    if (record.revoked) throw new ApiError('KEY_NOT_FOUND', 'API key not found')
    record.permissions = permissions
    await this.bee.put(`k/${keyId}`, record)
    this.notify({ type: 'permissions', keyId, permissions })
  }

  async revoke(keyId: string): Promise<void> {
    const record = this.record(keyId)
    if (record.revoked) return
    record.revoked = true
    this.byHash.delete(record.hash)
    await this.bee.put(`k/${keyId}`, record)
    this.notify({ type: 'revoked', keyId })
  }

  watch(listener: (change: KeyChange) => void): () => void {
    this.watchers.add(listener)
    return () => this.watchers.delete(listener)
  }

  private notify(change: KeyChange): void {
    for (const listener of this.watchers) listener(change)
  }

  async recordAudit(entry: Omit<AuditEntry, 'id' | 'timestamp'>): Promise<void> {
    const seq = ++this.auditSeq
    const full: AuditEntry = { ...entry, id: String(seq), timestamp: new Date().toISOString() }
    await this.bee.put(`a/${seqKey(seq)}`, full)
  }

  /** Newest first; `after_id` is the last id of the previous page. */
  async readAudit(query: PageQuery & { result?: string }): Promise<AuditPage> {
    const range: { gt: string; lt: string; reverse: true } = { gt: 'a/', lt: 'a0', reverse: true }
    if (query.after_id !== null) {
      const after = Number(query.after_id.split('-')[0])
      if (!Number.isSafeInteger(after)) throw new ApiError('INVALID_CURSOR', 'Invalid after_id')
      range.lt = `a/${seqKey(after)}`
    }
    const entries: AuditEntry[] = []
    let hasMore = false
    for await (const { value } of this.bee.range(range)) {
      const entry = value as AuditEntry
      if (query.result && entry.result !== query.result) continue
      if (entries.length === query.limit) {
        hasMore = true
        break
      }
      entries.push(entry)
    }
    const last = entries[entries.length - 1]
    return { entries, next_after_id: last ? last.id : '', has_more: hasMore }
  }

  async close(): Promise<void> {
    await this.core.close()
  }
}

/** The local state's sealing key: a keyed hash of the device's secret key (from identity.json). */
export function localSealKey(keys: { device: { secretKey: Buffer } }): Buffer {
  const out = Buffer.alloc(32)
  sodium.crypto_generichash(out, Buffer.from('handoff/v1/local-state'), keys.device.secretKey)
  return out
}
