import { describe, expect, it } from 'vitest'
import { ConnectionError, HandoffError } from '../../sdk/client/errors.js'
import { isRefused } from '../failover.js'

describe('isRefused', () => {
  it('finds ECONNREFUSED in the cause chain of a connection error, as fetch reports it', () => {
    const fetchError = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    })
    expect(isRefused(new ConnectionError('cannot reach', { cause: fetchError }))).toBe(true)
  })

  it('does not take other failures for a missing node: they may have reached it', () => {
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    })
    expect(isRefused(new ConnectionError('cannot reach', { cause: reset }))).toBe(false)
    expect(isRefused(new HandoffError('Invalid API key', 401, 'INVALID_API_KEY'))).toBe(false)
    expect(isRefused(undefined)).toBe(false)
  })
})
