// rache ships no types: only what node/index.ts uses (a global LRU cap shared by every hyperbee
// of a corestore through its `globalCache` option).
declare module 'rache' {
  export default class Rache {
    constructor(opts?: { maxSize?: number })
    readonly globalSize: number
  }
}
