// The node's commands as a user runs them (the built CLI): node, invite, join, status, with their
// output, --json and exit codes (0 ok, 1 runtime failure, 2 usage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapOf, CliSession, runCli as run } from './cli-support.js'
import { startTestnet, type Testnet } from './helpers.js'

describe('handoff node / invite / join / status', { timeout: 180_000 }, () => {
  let testnet: Testnet
  let bootstrap: string
  const cli = new CliSession()
  const dir = () => cli.dir()
  const startNodeCli = async (data: string) => (await cli.startNode(data, ['--bootstrap', bootstrap])).child

  beforeAll(async () => {
    testnet = await startTestnet()
    bootstrap = bootstrapOf(testnet)
  })

  afterAll(async () => {
    await cli.close()
    await testnet?.destroy()
  })

  it('creates a team, invites, joins, reports status, stops on SIGINT', async () => {
    const a = await dir()
    const b = await dir()
    const nodeA = await startNodeCli(a)

    const invite = await run(['invite', 'bob', '--data', a, '--json'])
    expect(invite.code).toBe(0)
    const { code, expires_at } = JSON.parse(invite.stdout)
    expect(typeof code).toBe('string')
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now())

    const joined = await run(['join', code, '--data', b, '--bootstrap', bootstrap, '--json'])
    expect(joined.code, joined.stderr).toBe(0)
    expect(JSON.parse(joined.stdout)).toMatchObject({ name: 'bob', role: 'member' })

    await startNodeCli(b)
    const status = await run(['status', '--data', b, '--json'])
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({
      member: { name: 'bob', role: 'member' },
      writable: true,
    })
    const human = await run(['status', '--data', a])
    expect(human.stdout).toContain('(admin)')

    const exited = new Promise<number | null>((r) => nodeA.once('exit', (c) => r(c)))
    nodeA.kill('SIGINT')
    expect(await exited).toBe(0)
    const gone = await run(['status', '--data', a])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toMatch(/no node is running/)
  })

  it('bad usage exits 2, a failure at run time exits 1', async () => {
    expect((await run(['join', 'not-a-code', '--data', await dir()])).code).toBe(2)
    expect((await run(['invite', 'x', '--role', 'boss', '--data', await dir()])).code).toBe(2)
    expect((await run(['node', '--port', 'abc', '--data', await dir()])).code).toBe(2)
    const none = await run(['invite', 'x', '--data', await dir()])
    expect(none.code).toBe(1)
    expect(none.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  })
})
