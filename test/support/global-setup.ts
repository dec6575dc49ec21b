// Starts one private redis-server for the whole test run (never the shared one on 6379),
// and hands its URL to tests through vitest's provide/inject.
import type { TestProject } from 'vitest/node'
import { type RedisServer, startRedisServer } from './redis-server.js'

let redis: RedisServer | undefined

export async function setup(project: TestProject): Promise<void> {
  redis = await startRedisServer()
  project.provide('redisUrl', redis.url)
}

export async function teardown(): Promise<void> {
  await redis?.stop()
}
