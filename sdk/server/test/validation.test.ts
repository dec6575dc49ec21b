// Pure pieces: zod failures mapped to the seed's codes, the permission rules, key hashes, and
// the API-key extraction order.
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/errors.js'
import {
  ackBody,
  CHANNEL_NAME_RE,
  CURSOR_RE,
  createKeyBody,
  isEncryptedContent,
  pageQuery,
  postMessageBody,
  setStatusBody,
} from '../../api/schemas.js'
import { parsePart } from '../../api/validation.js'
import { parseJsonBody } from '../body.js'
import { grantedLevel, hasPermission } from '../permissions.js'

const codeOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    if (err instanceof ApiError) return err.code
    throw err
  }
  return 'OK'
}

describe('validation codes', () => {
  it('follows the seed order of checks: first failing field, first failing check', () => {
    expect(codeOf(() => parsePart(postMessageBody, { thread_id: 'bad' }, 'body'))).toBe('MISSING_FIELDS')
    expect(
      codeOf(() => parsePart(postMessageBody, { content: 'x'.repeat(32769), thread_id: 'bad' }, 'body')),
    ).toBe('CONTENT_TOO_LARGE')
    expect(codeOf(() => parsePart(postMessageBody, undefined, 'body'))).toBe('INVALID_JSON')
    expect(codeOf(() => parsePart(postMessageBody, 'text', 'body'))).toBe('INVALID_JSON')
    expect(codeOf(() => parsePart(ackBody, { last_read_id: '' }, 'body'))).toBe('MISSING_FIELDS')
    expect(codeOf(() => parsePart(setStatusBody, { key: 'k', value: 5 }, 'body'))).toBe('INVALID_JSON')
    expect(codeOf(() => parsePart(setStatusBody, { key: 'k', value: '\udc00' }, 'body'))).toBe(
      'INVALID_CONTENT',
    )
    expect(codeOf(() => parsePart(createKeyBody, { sender_name: 's', permissions: [] }, 'body'))).toBe(
      'INVALID_PERMISSIONS',
    )
    expect(codeOf(() => parsePart(createKeyBody, { sender_name: 's', permissions: null }, 'body'))).toBe('OK')
    expect(codeOf(() => parsePart(pageQuery, { limit: ['1', '2'] }, 'query'))).toBe('INVALID_LIMIT')
    expect(codeOf(() => parsePart(pageQuery, { after_id: ['1-0', '2-0'] }, 'query'))).toBe('INVALID_CURSOR')
  })

  it('messages are readable and name the field', () => {
    expect(() => parsePart(postMessageBody, { content: 3 }, 'body')).toThrow('content must be a string')
    expect(() => parsePart(postMessageBody, {}, 'body')).toThrow('content is required')
    expect(() => parsePart(createKeyBody, { sender_name: 's', permissions: { ch: 'root' } }, 'body')).toThrow(
      /^permissions: /,
    )
  })

  it('canonicalises cursors', () => {
    expect(parsePart(pageQuery, { after_id: '0000-00' }, 'query')).toEqual({ after_id: '0-0' })
    expect(parsePart(pageQuery, { after_id: '0012-3' }, 'query')).toEqual({ after_id: '12-3' })
    expect(parsePart(pageQuery, { after_id: '100-20' }, 'query')).toEqual({ after_id: '100-20' })
    expect(parsePart(pageQuery, { after_id: '000' }, 'query')).toEqual({ after_id: '0' })
  })

  it('keeps the limit default and parses numbers', () => {
    expect(parsePart(pageQuery, { limit: '7' }, 'query')).toEqual({ limit: 7 })
    expect(parsePart(pageQuery, {}, 'query')).toEqual({})
  })

  it('knows channel names, cursors and encrypted content', () => {
    expect(['a', 'a'.repeat(64), '0.x_y-z'].every((n) => CHANNEL_NAME_RE.test(n))).toBe(true)
    expect(['', 'A', 'a'.repeat(65), '.a', 'a b', 'é'].some((n) => CHANNEL_NAME_RE.test(n))).toBe(false)
    expect(['0', '0-0', '1712345678901-3', '42'].every((c) => CURSOR_RE.test(c))).toBe(true)
    expect(['', '$', '1-', '-1', 'a-1', '1-2-3'].some((c) => CURSOR_RE.test(c))).toBe(false)
    expect(
      isEncryptedContent('hf1:abc') && isEncryptedContent('e2ee:abc') && !isEncryptedContent('hello'),
    ).toBe(true)
  })
})

describe('body parsing', () => {
  it('treats empty bodies as absent and refuses invalid UTF-8 or JSON', () => {
    expect(parseJsonBody(Buffer.alloc(0))).toBeUndefined()
    expect(parseJsonBody(Buffer.from('  \n'))).toBeUndefined()
    expect(parseJsonBody(Buffer.from('\ufeff{"a":1}'))).toEqual({ a: 1 })
    expect(codeOf(() => parseJsonBody(Buffer.from([0x22, 0xc3, 0x28, 0x22])))).toBe('INVALID_JSON')
    expect(codeOf(() => parseJsonBody(Buffer.from('{"a":')))).toBe('INVALID_JSON')
  })
})

describe('permissions', () => {
  it('ranks admin over write over read, lets a channel entry override "*", grants nothing when empty', () => {
    const p = { '*': 'write', secret: 'read', ops: 'admin' } as const
    expect(hasPermission(p, 'general', 'write')).toBe(true)
    expect(hasPermission(p, 'general', 'admin')).toBe(false)
    expect(hasPermission(p, 'secret', 'write')).toBe(false)
    expect(hasPermission(p, 'secret', 'read')).toBe(true)
    expect(hasPermission(p, 'ops', 'admin')).toBe(true)
    expect(hasPermission({}, 'general', 'read')).toBe(false)
    expect(hasPermission({ general: 'admin' }, '*', 'admin')).toBe(false)
    expect(grantedLevel({ '*': 'read' }, '*')).toBe('read')
    // inherited object properties are not permissions
    expect(hasPermission({}, 'constructor', 'read')).toBe(false)
  })
})
