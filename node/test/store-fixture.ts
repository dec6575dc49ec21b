// A corestore in a fresh temporary directory for the enclosing describe block: opened before its
// tests, closed and removed after them (after the block's own afterAll hooks, registered later).
import { rm } from 'node:fs/promises'
import Corestore from 'corestore'
import { afterAll, beforeAll } from 'vitest'
import { tempDir } from './helpers.js'

export interface TempStore {
  readonly dir: string
  readonly store: Corestore
}

export function tempCorestore(): TempStore {
  const held = {} as { dir: string; store: Corestore }
  beforeAll(async () => {
    held.dir = await tempDir()
    held.store = new Corestore(held.dir)
  })
  afterAll(async () => {
    await held.store?.close()
    if (held.dir) await rm(held.dir, { recursive: true, force: true })
  })
  return held
}
