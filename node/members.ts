// Team membership as the node's admin sees it: the member devices in the view, and removing
// one, which starts a new key epoch sealed only to the members who remain (the removed device
// keeps what it could read, and can open nothing written after).
import { ApiError } from '../sdk/api/errors.js'
import { decodeEnvelope, generateEpochKey, sealToMember } from '../sdk/protocol/index.js'
import { type MemberAddBody, OpType, openControl, sealControl } from './log/ops.js'
import type { NodeStore } from './store.js'
import { META, memberKey } from './view/keys.js'
import type { MemberRecord, MetaRecord, Role } from './view/records.js'

export interface MemberInfo {
  device: string
  name: string
  role: Role
  removed: boolean
  /** this node's own device */
  self: boolean
}

async function records(store: NodeStore): Promise<Array<[string, MemberRecord]>> {
  const out: Array<[string, MemberRecord]> = []
  for await (const { key, value } of store.reader.range<MemberRecord>({ gt: 'mb/', lt: 'mb0' })) {
    out.push([key.slice(3), value])
  }
  return out
}

export async function listMembers(store: NodeStore): Promise<MemberInfo[]> {
  return (await records(store)).map(([device, r]) => {
    let name = ''
    try {
      name = openControl<MemberAddBody>(
        decodeEnvelope(Buffer.from(r.env, 'base64')),
        store.keys.controlKey,
      ).name
    } catch {
      // a record this node cannot open names no one
    }
    return { device, name, role: r.role, removed: r.removed, self: device === store.keys.author }
  })
}

/** Remove a member device and rotate the content key to a new epoch. */
export function removeMember(store: NodeStore, device: string): Promise<{ epoch: number }> {
  return store.serial(() => rotateOut(store, device))
}

async function rotateOut(store: NodeStore, device: string): Promise<{ epoch: number }> {
  if (device === store.keys.author) throw new ApiError('INVALID_FIELD', 'A node cannot remove itself')
  const target = await store.reader.get<MemberRecord>(memberKey(device))
  if (!target || target.removed) throw new ApiError('NOT_FOUND', 'No such member')
  await store.appendEnvelope(sealControl(store.keys, OpType.MemberRemove, device, {}))
  const meta = await store.reader.get<MetaRecord>(META)
  const epoch = (meta?.epoch ?? 0) + 1
  const key = generateEpochKey()
  const sealed: Record<string, string> = {}
  for (const [pk, r] of await records(store)) {
    if (!r.removed) sealed[pk] = sealToMember(key, Buffer.from(pk, 'hex')).toString('hex')
  }
  await store.appendEnvelope(sealControl(store.keys, OpType.EpochKey, String(epoch), { epoch, sealed }))
  await store.keys.addEpoch(epoch, key)
  return { epoch }
}
