import { describe, expect, it } from 'vitest'
import { HandoffError } from '../../sdk/client/errors.js'
import { describeFailure, toolError } from '../errors.js'
import { formatMessage, formatMessagePage, formatStatusChanges } from '../format.js'
import { parsePermissions } from '../tools/keys.js'

const message = {
  id: '1700000000000-0',
  channel: 'infra',
  sender: 'alice',
  content: 'cluster ready',
  mention: 'bob',
  thread_id: null,
  reply_count: 2,
  created_at: '2026-11-27T12:01:02.345Z',
}

describe('format', () => {
  it('puts id, time, sender, mention and replies on one line', () => {
    expect(formatMessage(message)).toBe(
      '[1700000000000-0] 2026-11-27 12:01:02Z alice -> @bob [2 replies]: cluster ready',
    )
  })

  it('shows the cursor and how to ack a page', () => {
    const text = formatMessagePage({
      messages: [message],
      next_after_id: message.id,
      has_more: true,
      channel: 'infra',
    })
    expect(text).toContain('#infra: 1 message')
    expect(text).toContain(`after_id="${message.id}"`)
    expect(text).toContain(`ack(channel="infra", last_read_id="${message.id}")`)
    expect(formatMessagePage({ messages: [], next_after_id: '', has_more: false, channel: 'x' })).toContain(
      '(no messages)',
    )
  })

  it('marks deleted status keys in the change log', () => {
    const text = formatStatusChanges('ops', {
      changes: [
        {
          id: '1',
          channel: 'ops',
          key: 'lock',
          value: '',
          changed_by: 'bob',
          changed_at: message.created_at,
          deleted: true,
        },
      ],
      next_after_id: '1',
      has_more: false,
    })
    expect(text).toContain('bob: lock deleted')
  })
})

describe('tool errors', () => {
  it("carry the API's message and code, with a hint for a refused key", () => {
    const result = toolError(new HandoffError('Invalid API key', 401, 'INVALID_API_KEY'))
    expect(result.isError).toBe(true)
    expect(result.structuredContent).toMatchObject({
      code: 'INVALID_API_KEY',
      status: 401,
      error: 'Invalid API key',
    })
    expect(result.content[0]?.text).toMatch(
      /^Error INVALID_API_KEY \(HTTP 401\): Invalid API key\n.*refused the API key/,
    )
  })

  it('never show a stack trace', () => {
    const text = toolError(new Error('boom')).content[0]?.text ?? ''
    expect(text).toBe('Error MCP_ERROR: boom')
    expect(describeFailure('plain').error).toBe('plain')
  })
})

describe('parsePermissions', () => {
  it("accepts the seed's JSON string and a plain object", () => {
    expect(parsePermissions('{"*":"read","build":"write"}')).toEqual({ '*': 'read', build: 'write' })
    expect(parsePermissions({ deploy: 'admin' })).toEqual({ deploy: 'admin' })
    expect(parsePermissions('{}')).toEqual({})
  })

  it('refuses bad JSON and unknown levels with INVALID_PERMISSIONS', () => {
    expect(() => parsePermissions('{not json')).toThrow(/not valid JSON/)
    expect(() => parsePermissions('{"*":"owner"}')).toThrow(/read", "write" or "admin/)
    expect(describeFailure(catchErr(() => parsePermissions('[]'))).code).toBe('INVALID_PERMISSIONS')
  })
})

function catchErr(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}
