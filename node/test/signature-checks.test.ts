// The Ed25519 checks of apply on worker threads (node/log/signature-checks.ts): a batch answers
// exactly which envelopes their authors signed, in order, whether a worker, several workers or the
// calling thread checked it; checks started ahead answer only for the very signature they checked;
// a worker lost mid-job or a pool closed under a pending check still answers it; and apply drops
// a forged envelope inside a large block while applying the rest.
import { createHash } from 'node:crypto'
import type { Worker } from 'node:worker_threads'
import type { AutobaseHost, AutobaseNode } from 'autobase'
import c from 'compact-encoding'
import Hyperbee from 'hyperbee'
import { afterAll, describe, expect, it } from 'vitest'
import {
  decodeEnvelope,
  type Envelope,
  encodeBody,
  generateEpochKey,
  generateSigningKeyPair,
  headerEncoding,
  OpType,
  randomBytes,
  sealEnvelope,
} from '../../sdk/protocol/index.js'
import { createIdentity, genesisEnvelope } from '../identity.js'
import { NodeKeys } from '../keyring.js'
import { createApply } from '../log/apply.js'
import { packBlocks } from '../log/blocks.js'
import { apiIdOf, type Signer, sealContent } from '../log/ops.js'
import { SignatureChecks } from '../log/signature-checks.js'
import { channelSpace, droppedKey } from '../view/keys.js'
import { Placements } from '../view/placements.js'
import type { ChannelRecord, MessageRecord, ViewValue } from '../view/records.js'
import { within } from './helpers.js'
import { tempCorestore } from './store-fixture.js'

const team = randomBytes(32)
const epochKey = generateEpochKey()
const alice = generateSigningKeyPair()
const mallory = generateSigningKeyPair()

const seal = (i: number, signer = alice) =>
  sealEnvelope(
    { type: OpType.Message, team, channel: 'sigs', epoch: 0, body: encodeBody({ content: `m${i}` }) },
    { epochKey, signer },
  )

/** The envelope with one bit of its signature flipped. */
function flipped(envelope: Envelope): Envelope {
  const bytes = Buffer.from(envelope.bytes)
  const at = bytes.length - 33 // inside the signature (the last 64 bytes)
  bytes[at] = (bytes[at] as number) ^ 0x10
  return decodeEnvelope(bytes)
}

/** The envelope re-encoded with another author in its header (signature and body kept). */
function claimedBy(envelope: Envelope, author: Buffer): Envelope {
  const header = c.encode(headerEncoding, { ...envelope.header, author })
  return decodeEnvelope(Buffer.concat([header, c.encode(c.buffer, envelope.ciphertext), envelope.signature]))
}

/**
 * `n` envelopes by alice; at each index of `bits` one with a flipped signature bit, at each of
 * `claims` one mallory signed that claims alice as its author. Whether each is valid, in order.
 */
function batch(n: number, bits: number[], claims: number[]) {
  const envelopes: Envelope[] = []
  const valid: boolean[] = []
  for (let i = 0; i < n; i++) {
    if (bits.includes(i)) envelopes.push(flipped(seal(i)))
    else if (claims.includes(i)) envelopes.push(claimedBy(seal(i, mallory), alice.publicKey))
    else envelopes.push(seal(i))
    valid.push(!bits.includes(i) && !claims.includes(i))
  }
  return { envelopes, valid }
}

const signerOf = (keys: NodeKeys): Signer => ({
  teamId: keys.teamId,
  teamKey: keys.teamKey,
  controlKey: keys.controlKey,
  device: keys.device,
  epoch: () => keys.epoch(),
})

/** The pool's workers (private: a test looks at which ran). */
const workersOf = (checks: SignatureChecks) =>
  (checks as unknown as { workers: Array<Worker | null> }).workers
/** The early checks the pool holds, by envelope id (private). */
const earlyOf = (checks: SignatureChecks) => (checks as unknown as { early: Map<string, unknown> }).early

describe('signature checks on worker threads', () => {
  const pools: SignatureChecks[] = []
  const pool = (options: ConstructorParameters<typeof SignatureChecks>[0]) => {
    const checks = new SignatureChecks(options)
    pools.push(checks)
    return checks
  }
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()))
  })

  const hundred = batch(100, [0, 41, 99], [17, 58])
  /** ten copies of the hundred: a job that takes the worker a while */
  const large = {
    envelopes: Array.from({ length: 10 }, () => hundred.envelopes).flat(),
    valid: Array.from({ length: 10 }, () => hundred.valid).flat(),
  }

  it('one worker answers exactly which are valid, in order, as the inline checks do', async () => {
    const checks = pool({ workers: 1, inlineBelow: 8 })
    expect(await checks.check(hundred.envelopes)).toEqual(hundred.valid)
    expect(workersOf(checks)[0]).not.toBeNull() // the batch went to the worker

    const noWorkers = pool({ workers: 0 })
    expect(await noWorkers.check(hundred.envelopes)).toEqual(hundred.valid)
    const inline = pool({ workers: 1, inlineBelow: 1000 })
    expect(await inline.check(hundred.envelopes)).toEqual(hundred.valid)
    expect(workersOf(inline)).toEqual([null]) // under inlineBelow: no worker started
  })

  it('two workers split a batch and the answer keeps its order', async () => {
    const odd = batch(101, [3, 50, 100], [49, 51, 77]) // shares of 51 and 50, forgeries in both
    const checks = pool({ workers: 2, inlineBelow: 8 })
    expect(await checks.check(odd.envelopes)).toEqual(odd.valid)
    expect(workersOf(checks).every((w) => w !== null)).toBe(true)
  })

  it('a worker lost mid-job: its pending check is answered on this thread, and the next check starts another', async () => {
    const checks = pool({ workers: 1, inlineBelow: 8 })
    const pending = checks.check(large.envelopes)
    const worker = workersOf(checks)[0]
    if (!worker) throw new Error('the check started no worker')
    await worker.terminate() // before it could answer (it has not even loaded yet)
    expect(await within('the check of a lost worker', 1500, pending)).toEqual(large.valid)

    expect(await checks.check(hundred.envelopes)).toEqual(hundred.valid)
    const next = workersOf(checks)[0]
    expect(next).not.toBeNull()
    expect(next).not.toBe(worker)
  })

  it('checks started ahead answer the later check of the same envelopes', async () => {
    // inlineBelow above the batch: without `ahead` this check would run on the calling thread
    const checks = pool({ workers: 1, inlineBelow: 1000 })
    checks.ahead(hundred.envelopes)
    expect(workersOf(checks)[0]).not.toBeNull() // the early checks went to a worker
    expect(earlyOf(checks).size).toBe(100)
    expect(await checks.check(hundred.envelopes)).toEqual(hundred.valid)
    expect(checks.answeredEarly).toBe(100) // every answer came from the early checks
    expect(earlyOf(checks).size).toBe(0) // each answer is taken once
  })

  it('an early answer is only for the signature it checked: same id, other signature, checked again', async () => {
    const checks = pool({ workers: 1, inlineBelow: 1000 })
    const genuine = seal(1)
    const forged = flipped(genuine)
    expect(forged.id.equals(genuine.id)).toBe(true) // the id covers header and ciphertext only
    checks.ahead([genuine])
    expect(await checks.check([forged])).toEqual([false])
    checks.ahead([forged])
    expect(await checks.check([genuine])).toEqual([true])
    // a forged envelope checked ahead stays forged
    checks.ahead([forged])
    expect(await checks.check([forged])).toEqual([false])
  })

  it('when the early checks fill up none starts, one not taken in time is dropped, and without workers none are kept', async () => {
    const checks = pool({ workers: 1, inlineBelow: 1000, maxEarly: 60, earlyTtlMs: 300 })
    checks.ahead(hundred.envelopes.slice(0, 40))
    checks.ahead(hundred.envelopes.slice(40, 80))
    // the first 60 wait (apply takes them next); the 20 past them are not started
    expect(earlyOf(checks).size).toBe(60)
    const held = (e: Envelope) => earlyOf(checks).has(e.id.toString('hex') + e.signature.toString('hex'))
    expect(hundred.envelopes.slice(0, 60).every(held)).toBe(true)
    expect(hundred.envelopes.slice(60, 80).some(held)).toBe(false)
    expect(await checks.check(hundred.envelopes.slice(0, 30))).toEqual(hundred.valid.slice(0, 30))
    expect(checks.answeredEarly).toBe(30)
    // 30 left waiting; after the time to live they are dropped at the next start
    await new Promise((resolve) => setTimeout(resolve, 350))
    checks.ahead(hundred.envelopes.slice(90, 100))
    expect(earlyOf(checks).size).toBe(10)
    expect(hundred.envelopes.slice(30, 60).some(held)).toBe(false)
    expect(await checks.check(hundred.envelopes)).toEqual(hundred.valid) // the others inline
    expect(checks.answeredEarly).toBe(40)

    const noWorkers = pool({ workers: 0 })
    noWorkers.ahead(hundred.envelopes)
    expect(earlyOf(noWorkers).size).toBe(0)
    expect(await noWorkers.check(hundred.envelopes)).toEqual(hundred.valid)
  })

  it('close() answers a pending check, and later checks run inline', async () => {
    const checks = pool({ workers: 2, inlineBelow: 8 })
    const pending = checks.check(large.envelopes)
    expect(workersOf(checks).every((w) => w !== null)).toBe(true)
    await checks.close()
    expect(await within('the check pending at close', 1500, pending)).toEqual(large.valid)

    expect(await checks.check(hundred.envelopes)).toEqual(hundred.valid)
    expect(workersOf(checks)).toEqual([null, null]) // no worker started again
  })
})

describe('apply over a large block with a forged envelope in it', () => {
  const temp = tempCorestore()
  const signatures = new SignatureChecks({ workers: 1, inlineBelow: 2 })
  afterAll(async () => {
    await signatures.close()
  })

  it('applies every valid envelope and records the forged ones as dropped', async () => {
    const keys = new NodeKeys(createIdentity('alice'), temp.dir)
    const other = generateSigningKeyPair()
    const view = new Hyperbee<ViewValue>(temp.store.get({ name: 'view' }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'json',
    })
    await view.ready()
    const placements = new Placements()
    const apply = createApply({ teamId: keys.teamId, controlKey: keys.controlKey, signatures, placements })

    const message = (content: string) =>
      sealContent(keys, { type: OpType.Message, channel: 'blk', body: { content, sender: 'alice' } })
    const before = Array.from({ length: 6 }, (_, i) => message(`before${i}`))
    const after = Array.from({ length: 6 }, (_, i) => message(`after${i}`))
    const bitFlip = flipped(message('flipped'))
    // signed by a key that is no member, claiming the admin as its author
    const impostor = claimedBy(
      sealContent(
        { ...signerOf(keys), device: other },
        { type: OpType.Message, channel: 'blk', body: { content: 'impostor', sender: 'alice' } },
      ),
      keys.device.publicKey,
    )
    const genesis = genesisEnvelope(keys, Buffer.alloc(32, 7), 'alice')
    const envelopes = [genesis, ...before.slice(0, 3), bitFlip, ...before.slice(3), impostor, ...after]
    const blocks = packBlocks(envelopes.map((e) => e.bytes))
    expect(blocks).toHaveLength(1) // one batch block: one apply call checks all of them together

    await apply([{ value: blocks[0] } as unknown as AutobaseNode], view, {} as AutobaseHost)
    expect(workersOf(signatures)[0]).not.toBeNull() // checked on the worker

    const valid = [...before, ...after]
    const channel = (await view.get('ch/blk'))?.value as ChannelRecord
    expect(channel.count).toBe(valid.length)
    const space = channelSpace('blk', channel.gen)
    const stored: string[] = []
    for await (const { value } of view.createReadStream(space.messages))
      stored.push((value as MessageRecord).id)
    expect(stored).toEqual(valid.map(apiIdOf))
    for (const forged of [bitFlip, impostor]) {
      expect(await view.get(space.messageId(apiIdOf(forged)))).toBeNull()
      const id = createHash('sha256').update(forged.bytes).digest('hex')
      expect((await view.get(droppedKey(id)))?.value).toEqual({
        reason: 'envelope signature does not match its author',
        type: 0,
        author: '',
      })
    }
    // what apply noted for the arrival order: the applied messages only
    expect(placements.take('m', 'blk', channel.gen, 0, valid.length)).toEqual(valid.map(apiIdOf))
    await view.close()
  })
})
