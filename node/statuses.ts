// Status keys on the node: set and delete are StatusSet / StatusDelete operations; the current
// values are read from the view (k/<key>), opened with the node's epoch keys.
import { ApiError } from '../sdk/api/errors.js'
import type { Status } from '../sdk/api/types.js'
import { OpType, sealContent } from './log/ops.js'
import type { NodeStore } from './store.js'
import type { StatusRecord } from './view/records.js'

export async function setStatus(
  store: NodeStore,
  channel: string,
  key: string,
  value: string,
  by: string,
): Promise<Status> {
  const envelope = sealContent(store.keys, {
    type: OpType.StatusSet,
    channel,
    ref: key,
    body: { key, value, by },
  })
  await store.appendEnvelope(envelope)
  const status = store.reader.toStatus(channel, envelope.bytes.toString('base64'))
  if (!status) throw new ApiError('UNAVAILABLE', 'The status was not stored')
  return status
}

export async function getStatus(store: NodeStore, channel: string, key?: string): Promise<Status[]> {
  const ch = await store.reader.channel(channel)
  if (!ch) return []
  if (key !== undefined) {
    const record = await store.reader.get<StatusRecord>(ch.space.status(key))
    const status = record ? store.reader.toStatus(channel, record.env) : null
    return status ? [status] : []
  }
  return store.reader.listOpened(
    ch.space.statuses,
    (env) => store.reader.toStatus(channel, env),
    (status) => status.key,
  )
}

export async function deleteStatus(
  store: NodeStore,
  channel: string,
  key: string,
  by: string,
): Promise<void> {
  // no lock: a second delete of the same key is dropped by apply (STATUS_NOT_FOUND)
  const ch = await store.reader.channel(channel)
  if (!ch || !(await store.reader.get<StatusRecord>(ch.space.status(key)))) {
    throw new ApiError('STATUS_NOT_FOUND', 'Status key not found')
  }
  await store.appendEnvelope(
    sealContent(store.keys, { type: OpType.StatusDelete, channel, ref: key, body: { key, by } }),
  )
}
