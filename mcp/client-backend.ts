// The backend over HTTP: the project's SDK client, pointed at a relay or the local node's API.
import type { Message, Permissions } from '../sdk/api/types.js'
import { errorFromResponse } from '../sdk/client/errors.js'
import { ConnectionError, Handoff, HandoffError } from '../sdk/client/index.js'
import type { HandoffBackend, Identity, PageOptions, ReadOptions } from './backend.js'

export interface ClientBackendOptions {
  kind: 'relay' | 'node'
  apiUrl: string
  apiKey: string
  /** seal message text and status values before they leave the process (relay only) */
  encryptionKey?: string | undefined
  /** called on close, after the client's streams are closed (an embedded node's shutdown) */
  onClose?: () => Promise<void>
}

/** Drops undefined values: the client passes options through as query parameters. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T
}

export class ClientBackend implements HandoffBackend {
  readonly kind: 'relay' | 'node'
  readonly apiUrl: string
  private readonly apiKey: string
  private readonly client: Handoff
  private readonly controller = new AbortController()
  private readonly onClose: (() => Promise<void>) | undefined

  constructor(options: ClientBackendOptions) {
    this.kind = options.kind
    this.apiUrl = options.apiUrl.replace(/\/+$/, '')
    this.apiKey = options.apiKey
    this.onClose = options.onClose
    this.client = new Handoff({
      apiUrl: this.apiUrl,
      apiKey: options.apiKey,
      signal: this.controller.signal,
      ...(options.encryptionKey ? { encryptionKey: options.encryptionKey } : {}),
    })
    // A relay has no such routes: leaving the methods out keeps the tools off its tool list.
    if (this.kind === 'node') {
      this.invite = (name, role) => this.request('POST', '/api/node/invites', { name, role })
      this.syncStatus = () => this.request('GET', '/api/node/status')
    }
  }

  /** A call to the node's own routes, which the SDK client does not cover, with the same errors. */
  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response
    try {
      res = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(15_000)]),
      })
    } catch (err) {
      throw new ConnectionError(`cannot reach ${this.apiUrl}: ${(err as Error).message}`, { cause: err })
    }
    const payload: unknown = await res.json().catch(() => undefined)
    if (!res.ok) throw errorFromResponse(res.status, payload, res.headers.get('retry-after'))
    return payload as T
  }

  /** Node only (assigned in the constructor for a node): POST /api/node/invites. */
  invite?: HandoffBackend['invite']
  /** Node only: GET /api/node/status. */
  syncStatus?: HandoffBackend['syncStatus']

  whoami(): Promise<Identity> {
    return this.client.whoami()
  }

  createChannel(name: string, description?: string) {
    return this.client.createChannel(name, description)
  }
  listChannels() {
    return this.client.listChannels()
  }
  deleteChannel(name: string) {
    return this.client.deleteChannel(name)
  }
  post(channel: string, content: string, options: { mention?: string; thread_id?: string }) {
    return this.client.post(channel, content, defined(options))
  }
  read(channel: string, options: ReadOptions) {
    return this.client.read(channel, defined(options) as Parameters<Handoff['read']>[1])
  }
  thread(channel: string, parentId: string, options: PageOptions) {
    return this.client.thread(channel, parentId, defined(options) as Parameters<Handoff['thread']>[2])
  }
  deleteMessage(channel: string, id: string) {
    return this.client.deleteMessage(channel, id)
  }
  unread(channel: string, options: { limit?: number | undefined }) {
    return this.client.unread(channel, defined(options) as { limit?: number })
  }
  ack(channel: string, lastReadId: string) {
    return this.client.ack(channel, lastReadId)
  }
  getAcks(channel: string) {
    return this.client.getAcks(channel)
  }
  setStatus(channel: string, key: string, value: string) {
    return this.client.setStatus(channel, key, value)
  }
  getStatus(options: { channel?: string | undefined; key?: string | undefined }) {
    return this.client.getStatus(defined(options) as { channel?: string; key?: string })
  }
  deleteStatus(channel: string, key: string) {
    return this.client.deleteStatus(channel, key)
  }
  getStatusChanges(channel: string, options: PageOptions) {
    return this.client.getStatusChanges(
      channel,
      defined(options) as Parameters<Handoff['getStatusChanges']>[1],
    )
  }
  createKey(senderName: string, permissions?: Permissions) {
    return this.client.createKey(senderName, permissions)
  }
  listKeys() {
    return this.client.listKeys()
  }
  updateKeyPermissions(keyId: string, permissions: Permissions) {
    return this.client.updateKeyPermissions(keyId, permissions)
  }
  revokeKey(keyId: string) {
    return this.client.revokeKey(keyId)
  }
  audit(options: PageOptions & { result?: string | undefined }) {
    return this.client.audit(defined(options) as Parameters<Handoff['audit']>[0])
  }

  async watch(
    channel: string,
    onMessage: (m: Message) => void,
    onError: (err: Error) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const sub = this.client.subscribe(channel, { reconnect: { maxDelayMs: 5_000 }, signal })
    let lastError: Error | undefined
    sub.on('message', onMessage)
    sub.on('error', (err) => {
      lastError = err
    })
    // Transient drops reconnect inside the subscription (with Last-Event-ID); only an end the
    // caller did not ask for (revoked key, deleted channel) is a failure to report.
    sub.on('close', () => {
      if (!signal.aborted)
        onError(lastError ?? new HandoffError(`the stream of #${channel} closed`, 0, 'STREAM_CLOSED'))
    })
    void sub.connect()
    await sub.ready()
  }

  async close(): Promise<void> {
    this.controller.abort()
    await this.onClose?.()
  }
}
