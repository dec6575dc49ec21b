// `handoff join CODE --relay URL` as a user runs it (the built CLI): A and B each on a DHT of its
// own (no common one), one relay. A runs `handoff node --relay --relay-key`; B joins through the
// relay, then `handoff node --data B` bridges with the saved relay access and no relay flags.
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningRelay, signup, startRelay, stopAllRelays } from '../../relay/test/relays.js'
import { readApiKey, readNodeInfo } from '../data-dir.js'
import { encodeInviteCode } from '../pairing.js'
import { bootstrapOf, CliSession, runCli } from './cli-support.js'
import { Api, eventually, startTestnet, type Testnet } from './helpers.js'

const run = (args: string[]) => runCli(args, 90_000)

describe('handoff join --relay (CLI)', { timeout: 240_000 }, () => {
  const testnets: Testnet[] = []
  let relay: RunningRelay
  const cli = new CliSession('handoff-cli-relay-')
  const dir = () => cli.dir()
  const startNodeCli = async (data: string, testnet: Testnet, extra: string[] = []) =>
    (await cli.startNode(data, ['--bootstrap', bootstrapOf(testnet), ...extra])).stdout

  beforeAll(async () => {
    testnets.push(await startTestnet(), await startTestnet())
    relay = await startRelay()
  })

  afterAll(async () => {
    await cli.close()
    await stopAllRelays()
    for (const t of testnets) await t.destroy()
  })

  async function api(data: string): Promise<Api> {
    const info = await readNodeInfo(data)
    return new Api(info?.url as string, (await readApiKey(data)) as string)
  }

  it('joins through the relay, saves the relay access, and the new node bridges by itself', async () => {
    const a = await dir()
    const b = await dir()
    const key = await signup(relay.url, 'cli-join-relay')
    await startNodeCli(a, testnets[0] as Testnet, ['--relay', relay.url, '--relay-key', key])

    // a bridged node's invite tells how to join through its relay too
    const human = await run(['invite', 'carol', '--data', a])
    expect(human.stdout).toContain(`--relay ${relay.url}`)
    const invite = await run(['invite', 'bob', '--data', a, '--json'])
    expect(invite.code, invite.stderr).toBe(0)
    const { code } = JSON.parse(invite.stdout)

    const joined = await run(['join', code, '--data', b, '--relay', relay.url, '--json'])
    expect(joined.code, joined.stderr).toBe(0)
    const out = JSON.parse(joined.stdout)
    expect(out).toMatchObject({ name: 'bob', role: 'member', relay: { url: relay.url, key_saved: true } })
    expect(joined.stdout).not.toContain(key)
    expect((await stat(join(b, 'relay.json'))).mode & 0o777).toBe(0o600)

    const printed = await startNodeCli(b, testnets[1] as Testnet)
    expect(printed).toContain(`Relay bridge: syncing through ${relay.url}`)
    const apiA = await api(a)
    const apiB = await api(b)
    await apiB.ok('POST', '/api/channels/cli/messages', { content: 'bob via the relay' })
    await apiA.ok('POST', '/api/channels/cli/messages', { content: 'alice via the relay' })
    const both = ['alice via the relay', 'bob via the relay']
    for (const n of [apiA, apiB]) {
      await eventually(async () => {
        const page = await n.ok<{ messages: Array<{ content: string }> }>('GET', '/api/channels/cli/messages')
        expect(page.messages.map((m) => m.content).sort()).toEqual(both)
      }, 45_000)
    }

    const status = await run(['status', '--data', b, '--json'])
    expect(JSON.parse(status.stdout).relay).toMatchObject({ configured: true, url: relay.url })
  })

  it('a join through an unreachable relay fails at once in one line (exit 1); a bad code is a usage error (exit 2)', async () => {
    const b = await dir()
    const code = encodeInviteCode(Buffer.alloc(32, 3))
    const down = await run(['join', code, '--data', b, '--relay', 'http://127.0.0.1:9'])
    expect(down.code).toBe(1)
    expect(down.stderr.trim().split('\n')).toHaveLength(1)
    expect(down.stderr).toContain('http://127.0.0.1:9')
    const bad = await run(['join', 'not-a-code', '--data', b, '--relay', relay.url])
    expect(bad.code).toBe(2)
  })
})
