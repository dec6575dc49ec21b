// Every tool of `handoff mcp` as a client sees it: the MCP SDK's Client spawns the built CLI over
// stdio. Run against a real relay and a real node (tools-relay.test.ts, tools-node.test.ts) with
// two agents: alice (the team admin) and bob (a key alice makes, {"*": "write"}).
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type McpAgent, textOf } from './harness.js'

const SEED_TOOL_NAMES = [
  'create_channel',
  'list_channels',
  'post_message',
  'read_messages',
  'read_thread',
  'ack',
  'get_acks',
  'read_unread',
  'set_status',
  'get_status',
  'get_status_changes',
  'delete_status',
  'delete_channel',
  'delete_message',
  'set_key_permissions',
  'create_key',
  'read_audit_log',
  'list_keys',
]

export interface ToolsTarget {
  name: 'relay' | 'node'
  /** starts the server and alice's agent; `agent(env)` starts another agent on the same server */
  start(run: string): Promise<{
    alice: McpAgent
    /** the server's URL, for agents that talk to it over plain HTTP (bob) */
    url: string
    stop(): Promise<void>
  }>
  agent(url: string, key: string): Promise<McpAgent>
}

export function toolsSuite(target: ToolsTarget): void {
  let alice: McpAgent
  let bob: McpAgent
  let aliceName: string
  let url: string
  let stop: () => Promise<void> = async () => {}
  let bobKeyId: string
  const run = randomBytes(3).toString('hex')
  const channel = `mcp-${run}`
  const extra = target.name === 'node' ? ['invite', 'sync_status'] : []

  beforeAll(async () => {
    const started = await target.start(run)
    ;({ alice, url, stop } = started)
    aliceName = (await alice.ok('whoami')).structuredContent.sender
    const created = await alice.ok('create_key', { sender_name: 'bob', permissions: '{"*":"write"}' })
    bobKeyId = created.structuredContent.key_id
    bob = await target.agent(url, created.structuredContent.api_key)
  })

  afterAll(async () => {
    await Promise.allSettled([alice?.close(), bob?.close()])
    await stop()
  })

  describe(`every tool against a ${target.name}`, () => {
    it("lists the seed's 18 tools with their names and parameters, then the additions", async () => {
      const { tools } = await alice.client.listTools()
      const names = tools.map((t) => t.name)
      expect(names.slice(0, 18)).toEqual(SEED_TOOL_NAMES)
      expect(names.slice(18)).toEqual(['wait_for_messages', 'revoke_key', 'whoami', ...extra])
      const params = (name: string) => {
        const schema = tools.find((t) => t.name === name)?.inputSchema
        return {
          props: Object.keys(schema?.properties ?? {}).sort(),
          required: [...(schema?.required ?? [])].sort(),
        }
      }
      expect(params('post_message')).toEqual({
        props: ['channel', 'content', 'mention', 'thread_id'],
        required: ['channel', 'content'],
      })
      expect(params('read_messages').props).toEqual([
        'after_id',
        'channel',
        'limit',
        'mention',
        'sender',
        'thread_id',
      ])
      expect(params('get_status')).toEqual({ props: ['channel', 'key'], required: [] })
      expect(params('set_key_permissions')).toEqual({
        props: ['key_hash', 'permissions'],
        required: ['key_hash', 'permissions'],
      })
      expect(params('read_audit_log').props).toEqual(['after_id', 'limit', 'result'])
      expect(params('wait_for_messages')).toEqual({
        props: ['channels', 'mentions_only', 'timeout_seconds'],
        required: ['channels'],
      })
      for (const tool of tools) expect(tool.description?.length ?? 0).toBeGreaterThan(80)
    })

    it('whoami tells each agent its sender name and connection', async () => {
      const me = await alice.ok('whoami')
      expect(me.structuredContent).toMatchObject({ connection: target.name, api_url: url })
      expect(me.structuredContent.permissions).toEqual({ '*': 'admin' })
      expect(textOf(await bob.ok('whoami'))).toContain('You are bob')
    })

    it('calls every channel, message, ack and status tool', async () => {
      const created = await alice.ok('create_channel', { name: channel, description: 'mcp test' })
      expect(created.structuredContent).toMatchObject({ name: channel, description: 'mcp test' })
      expect(textOf(await alice.ok('list_channels'))).toContain(`#${channel} - mcp test`)

      const posted = await alice.ok('post_message', { channel, content: 'staging is up', mention: 'bob' })
      const parent = posted.structuredContent
      expect(parent).toMatchObject({
        channel,
        sender: aliceName,
        content: 'staging is up',
        mention: 'bob',
        thread_id: null,
      })
      const reply = await bob.ok('post_message', {
        channel,
        content: 'thanks',
        thread_id: parent.id,
        mention: 'alice',
      })
      expect(reply.structuredContent.thread_id).toBe(parent.id)

      const read = await bob.ok('read_messages', { channel, mention: 'bob' })
      expect(read.structuredContent.messages.map((m: any) => m.id)).toEqual([parent.id])
      expect(textOf(read)).toContain(`[${parent.id}]`)
      expect(textOf(read)).toContain(`${aliceName} -> @bob`)

      const thread = await alice.ok('read_thread', { channel, thread_id: parent.id })
      expect(thread.structuredContent.parent.id).toBe(parent.id)
      expect(thread.structuredContent.replies.map((m: any) => m.content)).toEqual(['thanks'])

      const unread = await bob.ok('read_unread', { channel })
      expect(unread.structuredContent.messages.map((m: any) => m.id)).toEqual([parent.id])
      const acked = await bob.ok('ack', { channel, last_read_id: parent.id })
      expect(acked.structuredContent).toMatchObject({ channel, sender: 'bob', last_read_id: parent.id })
      expect((await bob.ok('read_unread', { channel })).structuredContent.messages).toEqual([])
      const acks = await alice.ok('get_acks', { channel })
      expect(acks.structuredContent.acks).toEqual([
        expect.objectContaining({ sender: 'bob', last_read_id: parent.id }),
      ])

      const status = await bob.ok('set_status', { channel, key: 'stage', value: 'building' })
      expect(status.structuredContent).toMatchObject({
        channel,
        key: 'stage',
        value: 'building',
        updated_by: 'bob',
      })
      expect((await alice.ok('get_status', { channel })).structuredContent.statuses).toHaveLength(1)
      const across = await alice.ok('get_status', { key: 'stage' })
      expect(across.structuredContent.statuses).toEqual([
        expect.objectContaining({ channel, value: 'building' }),
      ])
      expect(textOf(await alice.ok('delete_status', { channel, key: 'stage' }))).toContain('Deleted')
      // an absent key is a no-op, as the seed's tool
      expect((await alice.ok('delete_status', { channel, key: 'stage' })).structuredContent.deleted).toBe(
        false,
      )
      const changes = await alice.ok('get_status_changes', { channel })
      expect(changes.structuredContent.changes.map((c: any) => c.value)).toEqual(['building', ''])

      await alice.ok('delete_message', { channel, message_id: reply.structuredContent.id })
      const after = await alice.ok('read_messages', { channel, after_id: '0' })
      expect(after.structuredContent.messages.map((m: any) => m.id)).toEqual([parent.id])
    })

    it('calls every key tool: create, list, permissions, audit, revoke', async () => {
      const reader = await alice.ok('create_key', { sender_name: 'reader', permissions: { '*': 'read' } })
      const readerKeyId = reader.structuredContent.key_id
      expect(reader.structuredContent.api_key).toBeTruthy()
      const listed = await alice.ok('list_keys')
      const senders = listed.structuredContent.keys.map((k: any) => k.sender)
      expect(senders).toEqual(expect.arrayContaining([aliceName, 'bob', 'reader']))
      expect(textOf(listed)).not.toContain(reader.structuredContent.api_key)

      // bob (write on "*") cannot manage keys: a 403, recorded in the audit log
      const denied = await bob.call('list_keys')
      expect(denied.isError).toBe(true)
      expect(denied.structuredContent).toMatchObject({ code: 'FORBIDDEN', status: 403 })
      const audit = await alice.ok('read_audit_log', { limit: 10 })
      expect(audit.structuredContent.entries[0]).toMatchObject({ sender_name: 'bob' })

      const perms = await alice.ok('set_key_permissions', {
        key_hash: readerKeyId,
        permissions: '{"*":"write"}',
      })
      expect(perms.structuredContent.permissions).toEqual({ '*': 'write' })
      await alice.ok('revoke_key', { key_hash: readerKeyId })
      const keys = (await alice.ok('list_keys')).structuredContent.keys
      expect(keys.find((k: any) => k.key === readerKeyId)?.revoked).toBe(true)
      // whoami reads permissions afresh
      await alice.ok('set_key_permissions', {
        key_hash: bobKeyId,
        permissions: { '*': 'write', [channel]: 'admin' },
      })
      expect((await bob.ok('whoami')).structuredContent.permissions).toEqual({
        '*': 'write',
        [channel]: 'admin',
      })
    })

    it('returns bad input and API errors as tool errors, and keeps serving', async () => {
      const missing = await alice.call('post_message', { channel })
      expect(missing.isError).toBe(true)
      expect(textOf(missing)).toMatch(/content/)
      const wrongType = await alice.call('read_messages', { channel, limit: 'ten' })
      expect(wrongType.isError).toBe(true)
      const tooMany = await alice.call('read_messages', { channel, limit: 1000 })
      expect(tooMany.isError).toBe(true)
      // reads of a channel that does not exist answer an empty page (as the seed); changes fail
      const unknown = await alice.call('delete_channel', { channel: `nope-${run}` })
      expect(unknown.isError).toBe(true)
      expect(unknown.structuredContent).toMatchObject({ code: 'CHANNEL_NOT_FOUND', status: 404 })
      expect(textOf(unknown)).toMatch(/^Error CHANNEL_NOT_FOUND \(HTTP 404\): /)
      const badName = await alice.call('create_channel', { name: 'Not A Slug!' })
      expect(badName.structuredContent).toMatchObject({ code: 'INVALID_CHANNEL_NAME' })
      const badPerms = await alice.call('set_key_permissions', { key_hash: bobKeyId, permissions: '{oops' })
      expect(badPerms.structuredContent).toMatchObject({ code: 'INVALID_PERMISSIONS' })
      const noThread = await alice.call('read_thread', { channel, thread_id: '1-0' })
      expect(noThread.isError).toBe(true)
      // still serving
      expect((await alice.ok('list_channels')).isError).toBeFalsy()
    })

    it('serves channel history as a resource and the handoff prompts', async () => {
      const { resourceTemplates } = await alice.client.listResourceTemplates()
      expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('handoff://channel/{name}')
      const { resources } = await alice.client.listResources()
      expect(resources.map((r) => r.uri)).toContain(`handoff://channel/${channel}`)
      const history = await alice.client.readResource({ uri: `handoff://channel/${channel}` })
      expect(history.contents[0]).toMatchObject({ mimeType: 'text/plain' })
      expect(String((history.contents[0] as { text?: string } | undefined)?.text)).toContain('staging is up')

      const { prompts } = await alice.client.listPrompts()
      expect(prompts.map((p) => p.name)).toEqual(['handoff', 'check_in'])
      const prompt = await alice.client.getPrompt({
        name: 'handoff',
        arguments: { channel, to: 'bob', task: 'deploy' },
      })
      const text = prompt.messages[0]?.content.type === 'text' ? prompt.messages[0].content.text : ''
      expect(text).toContain('wait_for_messages')
      expect(text).toContain('mention "bob"')
    })

    it('delete_channel removes the channel', async () => {
      await alice.ok('delete_channel', { channel })
      expect(textOf(await alice.ok('list_channels'))).not.toContain(`#${channel}`)
      const again = await alice.call('delete_channel', { channel })
      expect(again.structuredContent).toMatchObject({ code: 'CHANNEL_NOT_FOUND' })
    })
  })
}
