// The wire protocol: the one place the bytes are defined. Pure (no I/O), shared by every part.
export * from './content.js'
export * from './envelope.js'
export * from './errors.js'
export * from './header.js'
export * from './keys.js'
