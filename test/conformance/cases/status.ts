// Channel status: set (PUT, or POST as in the seed), get, delete (recorded as a change), the
// change log page, and GET /api/status across the channels the key may read.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus as expectHttp, seg } from '../http.js'
import { expectStatus, expectStatusChangePage } from '../shapes.js'

export function statusCases(f: Fixture): void {
  const set = async (ch: string, key: string, value: string, client = f.admin) =>
    expectHttp(await client.put(`/api/channels/${ch}/status`, { key, value }), 200)
  const changes = async (ch: string, query = '') =>
    expectHttp(await f.admin.get(`/api/channels/${ch}/status/changes${query}`), 200)

  describe('status', () => {
    it('PUT status answers 200 {channel, key, value, updated_by, updated_at}', async () => {
      const ch = f.channel('s-shape')
      const key = await f.key('s-shape')
      const status = await set(ch, 'stage', 'build', key.client)
      expectStatus(status)
      expect(status).toMatchObject({ channel: ch, key: 'stage', value: 'build', updated_by: key.sender })
    })

    it('POST status is accepted like PUT, as in the seed', async () => {
      const ch = f.channel('s-post')
      const status = expectHttp(
        await f.admin.post(`/api/channels/${ch}/status`, { key: 'k', value: 'v' }),
        200,
      )
      expectStatus(status)
      expect(status.value).toBe('v')
    })

    it('GET status lists every key of the channel sorted by key; ?key= returns just that one', async () => {
      const ch = f.channel('s-get')
      await set(ch, 'zeta', '1')
      await set(ch, 'alpha', '2')
      const all = expectHttp(await f.admin.get(`/api/channels/${ch}/status`), 200)
      for (const status of all) expectStatus(status)
      expect(all.map((s: any) => [s.key, s.value])).toEqual([
        ['alpha', '2'],
        ['zeta', '1'],
      ])
      const one = expectHttp(await f.admin.get(`/api/channels/${ch}/status?key=zeta`), 200)
      expect(one.map((s: any) => s.value)).toEqual(['1'])
      expect(expectHttp(await f.admin.get(`/api/channels/${ch}/status?key=nope`), 200)).toEqual([])
    })

    it('setting a key again replaces its value', async () => {
      const ch = f.channel('s-over')
      await set(ch, 'k', 'old')
      await set(ch, 'k', 'new')
      expect(
        expectHttp(await f.admin.get(`/api/channels/${ch}/status`), 200).map((s: any) => s.value),
      ).toEqual(['new'])
    })

    it('an empty value is a value', async () => {
      const ch = f.channel('s-empty')
      expect((await set(ch, 'k', '')).value).toBe('')
    })

    it('a key with spaces and slashes is set and deleted through a percent-encoded path', async () => {
      const ch = f.channel('s-odd')
      await set(ch, 'build/step 1', 'x')
      expectHttp(await f.admin.delete(`/api/channels/${ch}/status/${seg('build/step 1')}`), 204)
      expect(expectHttp(await f.admin.get(`/api/channels/${ch}/status`), 200)).toEqual([])
    })

    it('DELETE status answers 204 and the key is gone', async () => {
      const ch = f.channel('s-del')
      await set(ch, 'k', 'v')
      expectHttp(await f.admin.delete(`/api/channels/${ch}/status/k`), 204)
      expect(expectHttp(await f.admin.get(`/api/channels/${ch}/status?key=k`), 200)).toEqual([])
    })

    it('deleting a status key that does not exist is 404 STATUS_NOT_FOUND', async () => {
      const ch = f.channel('s-none')
      await set(ch, 'other', 'v')
      expectError(await f.admin.delete(`/api/channels/${ch}/status/nope`), 404, 'STATUS_NOT_FOUND')
    })

    it('a status without key is 400 MISSING_FIELDS', async () => {
      const ch = f.channel('s-miss')
      expectError(await f.admin.put(`/api/channels/${ch}/status`, { value: 'v' }), 400, 'MISSING_FIELDS')
    })

    it('a status key of 256 characters is accepted, 257 is a 400', async () => {
      const ch = f.channel('s-klen')
      await set(ch, 'k'.repeat(256), 'v')
      const res = await f.admin.put(`/api/channels/${ch}/status`, { key: 'k'.repeat(257), value: 'v' })
      expectError(res, 400, ['KEY_TOO_LARGE', 'FIELD_TOO_LARGE'])
    })

    it('a status value over 32768 bytes is refused', async () => {
      const ch = f.channel('s-vlen')
      await set(ch, 'k', 'v'.repeat(32768))
      const res = await f.admin.put(`/api/channels/${ch}/status`, { key: 'k', value: 'v'.repeat(32769) })
      expectError(res, [400, 413], ['VALUE_TOO_LARGE', 'FIELD_TOO_LARGE', 'CONTENT_TOO_LARGE'])
    })
  })

  describe('status changes', () => {
    it('every set is a change {id, channel, key, value, changed_by, changed_at}, oldest first', async () => {
      const ch = f.channel('sc-log')
      const key = await f.key('sc-log')
      await set(ch, 'stage', 'init', key.client)
      await set(ch, 'stage', 'done', key.client)
      const page = await changes(ch)
      expectStatusChangePage(page)
      expect(page.changes.map((c: any) => [c.channel, c.key, c.value, c.changed_by])).toEqual([
        [ch, 'stage', 'init', key.sender],
        [ch, 'stage', 'done', key.sender],
      ])
      expect(page.has_more).toBe(false)
    })

    it('deleting a key is recorded as a change by the deleter', async () => {
      const ch = f.channel('sc-del')
      const deleter = await f.key('sc-del')
      await set(ch, 'k', 'v')
      expectHttp(await deleter.client.delete(`/api/channels/${ch}/status/k`), 204)
      const page = await changes(ch)
      expect(page.changes).toHaveLength(2)
      const last = page.changes[1]
      expect(last).toMatchObject({ key: 'k', value: '', changed_by: deleter.sender, deleted: true })
    })

    it('changes page from after_id=0 with limit, has_more and next_after_id', async () => {
      const ch = f.channel('sc-page')
      for (const value of ['1', '2', '3']) await set(ch, 'k', value)
      const first = await changes(ch, '?after_id=0&limit=2')
      expect(first.changes.map((c: any) => c.value)).toEqual(['1', '2'])
      expect(first.has_more).toBe(true)
      expect(first.next_after_id).toBe(first.changes[1].id)
      const rest = await changes(ch, `?after_id=${seg(first.next_after_id)}&limit=10`)
      expect(rest.changes.map((c: any) => c.value)).toEqual(['3'])
      expect(rest.has_more).toBe(false)
      expect((await changes(ch, '?after_id=0-0')).changes).toHaveLength(3)
    })

    it('without after_id the changes page holds the latest `limit` changes, oldest first', async () => {
      const ch = f.channel('sc-latest')
      for (const value of ['1', '2', '3']) await set(ch, 'k', value)
      expect((await changes(ch, '?limit=2')).changes.map((c: any) => c.value)).toEqual(['2', '3'])
    })

    it('bad after_id and limit on changes are 400 INVALID_CURSOR / INVALID_LIMIT', async () => {
      const ch = f.channel('sc-bad')
      expectError(await f.admin.get(`/api/channels/${ch}/status/changes?after_id=zzz`), 400, 'INVALID_CURSOR')
      expectError(await f.admin.get(`/api/channels/${ch}/status/changes?limit=abc`), 400, 'INVALID_LIMIT')
      expectError(await f.admin.get(`/api/channels/${ch}/status/changes?limit=101`), 400, 'INVALID_LIMIT')
    })
  })

  describe('status across channels', () => {
    it('GET /api/status returns statuses of every channel; ?key= narrows it', async () => {
      const a = f.channel('sx-a')
      const b = f.channel('sx-b')
      const key = `stage-${a}`
      await set(a, key, 'a')
      await set(b, key, 'b')
      await set(b, 'other', 'c')
      const all = expectHttp(await f.admin.get('/api/status'), 200)
      for (const status of all) expectStatus(status)
      expect(all.filter((s: any) => s.channel === b).map((s: any) => s.key)).toContain('other')
      const narrowed = expectHttp(await f.admin.get(`/api/status?key=${key}`), 200)
      expect(narrowed.map((s: any) => [s.channel, s.value])).toEqual([
        [a, 'a'],
        [b, 'b'],
      ])
    })

    it('GET /api/status only shows channels the key may read', async () => {
      const open = f.channel('sx-open')
      const closed = f.channel('sx-closed')
      const key = `scope-${open}`
      await set(open, key, 'visible')
      await set(closed, key, 'hidden')
      const reader = await f.key('sx-reader', { [open]: 'read' })
      const res = await reader.client.get(`/api/status?key=${key}`)
      const list = expectHttp(res, 200)
      expect(list.map((s: any) => s.channel)).toEqual([open])
      expect(res.text).not.toContain('hidden')
    })
  })
}
