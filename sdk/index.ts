// The package root: the SDK client, its errors, and the wire types of the HTTP API.
// Other parts may add exports here; keep additions grouped by what they export.
export type * from './api/types.js'
export * from './client/index.js'
export { Handoff as default } from './client/index.js'
