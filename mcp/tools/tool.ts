// What a tool is here: a name, a description written for a model, a zod input shape and a short
// handler that calls the backend and returns concise text plus the structured result.
// Registration wraps every handler so a failure becomes a tool error and the server keeps serving.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import type { z } from 'zod'
import type { HandoffBackend, Identity } from '../backend.js'
import { toolError } from '../errors.js'

/** State of one MCP session (one `handoff mcp` process). */
export interface Session {
  backend: HandoffBackend
  /** wait_for_messages cursors, per channel, so consecutive waits miss nothing */
  cursors: Map<string, string>
  /** who this key is, cached after the first successful lookup (for the sender name) */
  identity(): Promise<Identity>
}

export interface ToolOutput {
  text: string
  data: Record<string, unknown>
}

export interface CallContext {
  signal: AbortSignal
  /** report progress while a long call runs (no-op when the client asked for none) */
  progress(message: string): Promise<void>
}

type Shape = Record<string, z.ZodType>

export interface ToolDef<S extends Shape = Shape> {
  name: string
  title: string
  description: string
  input: S
  annotations?: ToolAnnotations
  run(args: z.infer<z.ZodObject<S>>, session: Session, call: CallContext): Promise<ToolOutput>
}

/** Keeps each tool's handler typed by its own shape while they share one list. */
export function defineTool<S extends Shape>(def: ToolDef<S>): ToolDef {
  return def as unknown as ToolDef
}

export function registerTool(server: McpServer, def: ToolDef, session: Session): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      annotations: def.annotations ?? {},
    },
    async (args: Record<string, unknown>, extra) => {
      const token = extra._meta?.progressToken
      let step = 0
      const call: CallContext = {
        signal: extra.signal,
        progress: async (message) => {
          if (token === undefined) return
          step += 1
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: step, message },
          })
        },
      }
      try {
        const out = await def.run(args as never, session, call)
        return { content: [{ type: 'text' as const, text: out.text }], structuredContent: out.data }
      } catch (err) {
        return toolError(err)
      }
    },
  )
}
