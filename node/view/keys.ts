// The view's key layout (one hyperbee per team, utf-8 keys, JSON values). Every read of SPEC
// section 3 is a point lookup or a bounded range over one of these prefixes, never a log scan.
//
//   meta                         team state: genesis done, current epoch
//   mb/<author hex>              a member device: role, autobase writer key, sealed epoch keys
//   ep/<epoch>                   an epoch's sealed keys (one per member at the time)
//   d/<time>/<envelope id hex>   envelopes applied once (dedupe across p2p and relay paths);
//                                `d/<envelope id hex>` in teams whose genesis has no format 2
//   x/<envelope id hex>          envelopes dropped by apply, with the reason
//   ch/<channel>                 channel record: generation, counters, creating envelope
//   c/<channel>/<gen>/...        everything of one generation of a channel (a deleted channel's
//                                generation is abandoned, so delete costs O(1)):
//     m/<seq>                    message by position (seq = per-channel log order)
//     i/<message id>             message id -> seq
//     r/<parent id>/<seq>        thread replies
//     n/<mention>/<seq>          messages mentioning a sender
//     s/<sender tag>/<seq>       messages by sender (blinded tag, see ops.ts)
//     k/<status key>             current status value
//     h/<seq>                    status changes, h-id/<change id> -> seq
//     a/<sender tag>             last ack of a sender
//     e/<seq>                    channel events (SSE ids): message, delete, status, ack

const SEQ_WIDTH = 12

/** Fixed-width decimal so string order is numeric order. */
export function seqKey(seq: number): string {
  return String(seq).padStart(SEQ_WIDTH, '0')
}

export const META = 'meta'
export const memberKey = (author: string) => `mb/${author}`
export const epochKey = (epoch: number) => `ep/${seqKey(epoch)}`
/**
 * An applied envelope, under its author's time first: envelopes arrive roughly in time order, so
 * the dedupe lookup of a new envelope lands at the right edge of the view's tree, which is in
 * memory, instead of at a random leaf (a storage read for nearly every message: apply took ~40%
 * longer with `d/<id>`, docs/benchmarks.md). The time is an envelope header field, so every path
 * that carries the envelope finds the same key.
 */
export const doneKey = (time: number, id: string) => `d/${String(time).padStart(13, '0')}/${id}`
/** Every doneKey (a team of format 2 has no legacy marks). */
export const DONE_MARKS = { gt: 'd/', lt: 'd0' }
/** The applied mark of teams whose genesis states no `format: 2` (node/view/applied.ts). */
export const legacyDoneKey = (id: string) => `d/${id}`
export const droppedKey = (id: string) => `x/${id}`
export const channelKey = (name: string) => `ch/${name}`
export const CHANNELS_FROM = 'ch/'
export const CHANNELS_TO = 'ch0'

/** Key builders under one channel generation. */
export function channelSpace(name: string, gen: number) {
  const p = `c/${name}/${gen}/`
  return {
    message: (seq: number) => `${p}m/${seqKey(seq)}`,
    messages: { gt: `${p}m/`, lt: `${p}m0` },
    messageId: (id: string) => `${p}i/${id}`,
    messageIds: { gt: `${p}i/`, lt: `${p}i0` },
    reply: (parent: string, seq: number) => `${p}r/${parent}/${seqKey(seq)}`,
    // mentions are free text: encoded so one name is never a prefix range of another (`a` vs `a/b`)
    mention: (who: string, seq: number) => `${p}n/${encodeURIComponent(who)}/${seqKey(seq)}`,
    sender: (tag: string, seq: number) => `${p}s/${tag}/${seqKey(seq)}`,
    status: (key: string) => `${p}k/${key}`,
    statuses: { gt: `${p}k/`, lt: `${p}k0` },
    change: (seq: number) => `${p}h/${seqKey(seq)}`,
    changes: { gt: `${p}h/`, lt: `${p}h0` },
    changeId: (id: string) => `${p}hi/${id}`,
    ack: (tag: string) => `${p}a/${tag}`,
    acks: { gt: `${p}a/`, lt: `${p}a0` },
    event: (seq: number) => `${p}e/${seqKey(seq)}`,
    events: { gt: `${p}e/`, lt: `${p}e0` },
  }
}
export type ChannelSpace = ReturnType<typeof channelSpace>

/** The seq at the end of a key built by seqKey. */
export function seqOf(key: string): number {
  return Number(key.slice(key.length - SEQ_WIDTH))
}
