// Zod fields shared by several tools, each described once for the model.
import { z } from 'zod'

export const channelField = z
  .string()
  .min(1)
  .describe("Channel name, lowercase slug like 'build-pipeline' (see list_channels)")

export const afterIdField = z
  .string()
  .min(1)
  .optional()
  .describe(
    'Cursor: the next_after_id of a previous call; returns only items after it. "0" reads from the start',
  )

export const limitField = z
  .number()
  .int()
  .min(1)
  .max(100)
  .optional()
  .describe('How many items to return, 1-100 (default 50)')

export const permissionLevel = z.enum(['read', 'write', 'admin'])

/**
 * The seed's tools took permissions as a JSON string; a model now often sends an object. Both are
 * accepted; the string is parsed (and checked) by parsePermissions.
 */
export const permissionsField = z
  .union([z.string(), z.record(z.string(), permissionLevel)])
  .describe(
    'Map of channel name (or "*" for all channels) to "read" | "write" | "admin"; admin implies write implies read. ' +
      'An object or its JSON string, e.g. {"*":"read","build":"write"}',
  )
