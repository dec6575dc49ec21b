// The autobase apply function: the only code that changes the view. Every node runs it over the
// same linearized log and must reach the same view, so it reads nothing but the view and the
// envelopes (no clock, no local keys beyond the team's control key). Each envelope is checked
// (bytes, signature, team, author membership and role, epoch) and applied at most once; a
// failing one is dropped and recorded under x/<id>, never applied.
import { createHash } from 'node:crypto'
import type { AutobaseHost, AutobaseNode } from 'autobase'
import type Hyperbee from 'hyperbee'
import { CHANNEL_NAME_RE } from '../../sdk/api/schemas.js'
import { badSignature, decodeEnvelope, type Envelope } from '../../sdk/protocol/index.js'
import { markKeyOf } from '../view/applied.js'
import {
  applyAck,
  applyChannelCreate,
  applyChannelDelete,
  applyDelete,
  applyMessage,
  applyStatus,
  type OpContext,
} from '../view/content-ops.js'
import { droppedKey, epochKey, memberKey } from '../view/keys.js'
import type { Placements } from '../view/placements.js'
import type { MemberRecord, Role, ViewValue } from '../view/records.js'
import { ViewTx } from '../view/tx.js'
import { envelopesOf } from './blocks.js'
import { type EpochKeyBody, type MemberAddBody, OpType, openControl } from './ops.js'
import { type Decoded, prefetch } from './prefetch.js'
import { type SignatureChecks, signatureChecks } from './signature-checks.js'

export interface ApplyContext {
  teamId: Buffer
  controlKey: Buffer
  /** where signatures are checked (default: the process's worker threads) */
  signatures?: SignatureChecks
  /** where apply notes what it placed at each position, for the arrival order */
  placements?: Placements
}

const ROLES = new Set<Role>(['admin', 'member', 'reader'])
const HEX32 = /^[0-9a-f]{64}$/
/** Operations a reader device may author: reading leaves acks behind. */
const READER_OPS = new Set<OpType>([OpType.Ack])
const ADMIN_OPS = new Set<OpType>([OpType.MemberAdd, OpType.MemberRemove, OpType.EpochKey])

export function createApply(ctx: ApplyContext) {
  const signatures = ctx.signatures ?? signatureChecks()
  return async function apply(nodes: AutobaseNode[], view: Hyperbee<ViewValue>, host: AutobaseHost) {
    // one view batch for the whole call: its writes go to the view core as one append at flush
    ctx.placements?.over(view)
    const tx = new ViewTx(view.batch({ update: false }), ctx.placements ?? null)
    const decoded: Decoded[] = []
    for (const node of nodes) if (node.value !== null) decoded.push(...decodeBlock(node.value)) // null: an autobase ack
    // the signatures are checked (on a worker for a large batch) while the view is read; nothing
    // is applied before every check of the call has answered
    const [ops] = await Promise.all([verifyAll(signatures, decoded), prefetch(tx, decoded)])
    for (const op of ops) await applyOne(tx, op, host, ctx)
    await tx.flush()
  }
}

/** The envelopes of one block (a batch block holds several), each decoded (not yet verified). */
function decodeBlock(block: Buffer): Decoded[] {
  let envelopes: Buffer[]
  try {
    envelopes = envelopesOf(block)
  } catch (err) {
    return [invalid(block, err)] // a malformed batch: nothing in it is applied
  }
  return envelopes.map(decode)
}

function decode(bytes: Buffer): Decoded {
  try {
    const envelope = decodeEnvelope(bytes)
    return { id: envelope.id.toString('hex'), envelope, error: null }
  } catch (err) {
    return invalid(bytes, err)
  }
}

/** The decoded operations with every forged signature turned invalid: nothing unverified
 *  reaches the view. */
async function verifyAll(signatures: SignatureChecks, decoded: Decoded[]): Promise<Decoded[]> {
  const envelopes = decoded.flatMap((d) => (d.envelope ? [d.envelope] : []))
  const valid = await signatures.check(envelopes)
  let i = 0
  return decoded.map((d) => {
    if (!d.envelope) return d
    return valid[i++] ? d : invalid(d.envelope.bytes, badSignature())
  })
}

/** Unparseable or forged bytes: recorded under the hash of the raw bytes. */
function invalid(bytes: Buffer, err: unknown): Decoded {
  const id = createHash('sha256').update(bytes).digest('hex')
  return { id, envelope: null, error: (err as Error).message }
}

async function applyOne(tx: ViewTx, op: Decoded, host: AutobaseHost, ctx: ApplyContext): Promise<void> {
  const { id, envelope } = op
  if (!envelope) {
    await tx.put(droppedKey(id), { reason: op.error ?? 'invalid', type: 0, author: '' })
    return
  }
  // the same operation by another path: applied once
  if ((await tx.get(markKeyOf(await tx.getMeta(), envelope.header.time, id))) !== null) return
  const reason = await check(tx, envelope, host, ctx)
  if (reason) {
    await tx.put(droppedKey(id), {
      reason,
      type: envelope.header.type,
      author: envelope.header.author.toString('hex'),
    })
    return
  }
  // after the operation: a genesis states the team's mark format for its own mark too
  await tx.put(markKeyOf(await tx.getMeta(), envelope.header.time, id), true)
}

/** Checks and applies one verified envelope; a reason when it was dropped. */
async function check(
  tx: ViewTx,
  envelope: Envelope,
  host: AutobaseHost,
  ctx: ApplyContext,
): Promise<string | null> {
  const h = envelope.header
  if (!h.team.equals(ctx.teamId)) return 'envelope of another team'
  const author = h.author.toString('hex')
  const meta = await tx.getMeta()
  if (!meta.genesis) return genesis(tx, envelope, ctx)
  const member = await tx.get<MemberRecord>(memberKey(author))
  if (!member || member.removed) return 'author is not a member'
  if (member.role === 'reader' && !READER_OPS.has(h.type)) return 'author is a reader'
  if (ADMIN_OPS.has(h.type)) {
    if (member.role !== 'admin') return 'membership changes need an admin'
    if (h.channel !== '') return 'membership operations are team-level'
  } else {
    if (!CHANNEL_NAME_RE.test(h.channel)) return 'invalid channel name'
    if (h.epoch > meta.epoch) return `unknown key epoch ${h.epoch}`
  }
  const op: OpContext = {
    tx,
    envelope,
    env: envelope.bytes.toString('base64'),
    author,
    isAdmin: member.role === 'admin',
  }
  switch (h.type) {
    case OpType.Message:
      return applyMessage(op)
    case OpType.Delete:
      return applyDelete(op)
    case OpType.StatusSet:
      return applyStatus(op, false)
    case OpType.StatusDelete:
      return applyStatus(op, true)
    case OpType.Ack:
      return applyAck(op)
    case OpType.ChannelCreate:
      return applyChannelCreate(op)
    case OpType.ChannelDelete:
      return applyChannelDelete(op)
    case OpType.MemberAdd:
      return addMember(op, host, ctx)
    case OpType.MemberRemove:
      return removeMember(op, host)
    case OpType.EpochKey:
      return newEpoch(op, ctx)
    default:
      return `operation type ${h.type} is not applied by this version`
  }
}

function readMemberAdd(envelope: Envelope, ctx: ApplyContext): MemberAddBody | string {
  let body: MemberAddBody
  try {
    body = openControl<MemberAddBody>(envelope, ctx.controlKey)
  } catch {
    return 'membership body does not open with the team control key'
  }
  if (typeof body !== 'object' || body === null) return 'membership body is not an object'
  if (body.publicKey !== envelope.header.ref || !HEX32.test(body.publicKey)) return 'member key mismatch'
  if (typeof body.writer !== 'string' || !HEX32.test(body.writer)) return 'bad writer key'
  if (!ROLES.has(body.role)) return 'bad role'
  if (typeof body.sealed !== 'object' || body.sealed === null) return 'bad sealed keys'
  return body
}

/** The first operation of a team: its creator adds itself as admin. */
async function genesis(tx: ViewTx, envelope: Envelope, ctx: ApplyContext): Promise<string | null> {
  if (envelope.header.type !== OpType.MemberAdd) return 'team has no members yet'
  const body = readMemberAdd(envelope, ctx)
  if (typeof body === 'string') return body
  if (body.publicKey !== envelope.header.author.toString('hex') || body.role !== 'admin') {
    return 'the first member must add itself as admin'
  }
  const meta = await tx.getMeta()
  meta.genesis = true
  // from the log, not from this code's version: every replica of a team keys its marks alike
  if (body.format === 2) meta.dedupe = 2
  const record: MemberRecord = {
    role: 'admin',
    writer: body.writer,
    removed: false,
    sealed: body.sealed,
    env: envelope.bytes.toString('base64'),
  }
  await tx.put(memberKey(body.publicKey), record)
  return null
}

async function addMember(op: OpContext, host: AutobaseHost, ctx: ApplyContext): Promise<string | null> {
  const body = readMemberAdd(op.envelope, ctx)
  if (typeof body === 'string') return body
  const existing = await op.tx.get<MemberRecord>(memberKey(body.publicKey))
  if (existing && !existing.removed) return 'already a member'
  const record: MemberRecord = {
    role: body.role,
    writer: body.writer,
    removed: false,
    sealed: body.sealed,
    env: op.env,
  }
  await op.tx.put(memberKey(body.publicKey), record)
  await host.addWriter(Buffer.from(body.writer, 'hex'), { indexer: body.role !== 'reader' })
  return null
}

async function removeMember(op: OpContext, host: AutobaseHost): Promise<string | null> {
  const target = op.envelope.header.ref
  const existing = await op.tx.get<MemberRecord>(memberKey(target))
  if (!existing || existing.removed) return 'not a member'
  await op.tx.put(memberKey(target), { ...existing, removed: true })
  const writer = Buffer.from(existing.writer, 'hex')
  // autobase keeps its last indexer; the member is still refused by the membership check above
  if (host.removeable(writer)) await host.removeWriter(writer)
  return null
}

async function newEpoch(op: OpContext, ctx: ApplyContext): Promise<string | null> {
  let body: EpochKeyBody
  try {
    body = openControl<EpochKeyBody>(op.envelope, ctx.controlKey)
  } catch {
    return 'epoch body does not open with the team control key'
  }
  if (typeof body !== 'object' || body === null) return 'epoch body is not an object'
  const meta = await op.tx.getMeta()
  if (body.epoch !== meta.epoch + 1 || String(body.epoch) !== op.envelope.header.ref)
    return 'epochs must advance by one'
  if (typeof body.sealed !== 'object' || body.sealed === null) return 'bad sealed keys'
  meta.epoch = body.epoch
  await op.tx.put(epochKey(body.epoch), { sealed: body.sealed })
  return null
}
