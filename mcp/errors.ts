// How a failure reaches the model: a tool result with `isError: true`, the API's own message and
// code, and a hint when the model (or its user) can act on it. Never a stack trace.

export interface ToolFailure {
  error: string
  code: string
  status: number | null
  hint?: string
}

/** A failure raised inside the MCP server itself (bad permissions JSON, node-only tool on a relay). */
export class ToolInputError extends Error {
  override name = 'ToolInputError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const HINTS: Record<string, string> = {
  MISSING_API_KEY:
    'Handoff refused the API key. Check RELAY_API_KEY (relay) or the api-key file in the node data dir.',
  INVALID_API_KEY:
    'Handoff refused the API key (unknown or revoked). Check RELAY_API_KEY (relay) or the api-key file in the node data dir.',
  FORBIDDEN:
    "This key lacks the permission; ask a team admin to grant it (set_key_permissions). Use whoami to see this key's permissions.",
  CHANNEL_NOT_FOUND: 'Call list_channels to see the channels, or create_channel to make it.',
  MESSAGE_NOT_FOUND: 'Message ids come from read_messages / read_unread results.',
  THREAD_PARENT_NOT_FOUND: 'thread_id must be the id of an existing message in this channel.',
  KEY_NOT_FOUND: 'Key ids come from list_keys (the "key" field).',
  RATE_LIMITED: 'Too many requests; wait a moment and retry.',
  CONNECTION_ERROR: 'Handoff is not reachable. Is the node (`handoff node`) or the relay running?',
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
}

/** Any thrown value -> a failure with a code. HandoffError (sdk/client) is recognised by shape. */
export function describeFailure(err: unknown): ToolFailure {
  const e = asRecord(err)
  const message = err instanceof Error ? err.message : String(err)
  const code = typeof e?.code === 'string' ? e.code : 'MCP_ERROR'
  const status = typeof e?.status === 'number' ? e.status : null
  const failure: ToolFailure = { error: message, code, status }
  const hint =
    HINTS[code] ?? (typeof e?.retryAfter === 'number' ? `Retry after ${e.retryAfter} s.` : undefined)
  if (hint) failure.hint = hint
  return failure
}

export function failureText(f: ToolFailure): string {
  const where = f.status ? ` (HTTP ${f.status})` : ''
  return `Error ${f.code}${where}: ${f.error}${f.hint ? `\n${f.hint}` : ''}`
}

export function toolError(err: unknown) {
  const failure = describeFailure(err)
  return {
    content: [{ type: 'text' as const, text: failureText(failure) }],
    structuredContent: { ...failure },
    isError: true,
  }
}
