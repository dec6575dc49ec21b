// Redis runs on the same cores as the bench's servers: its CPU per POST is part of what a POST
// costs (the relay's write script does more in Redis than the bare XADD + PUBLISH).
import type { Redis } from 'ioredis'

/** CPU seconds the Redis server has used so far (INFO cpu: used_cpu_sys + used_cpu_user). */
export async function redisCpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info('cpu')
  const get = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN)
  return get('used_cpu_sys') + get('used_cpu_user')
}
