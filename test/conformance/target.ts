// What a server must provide to be held to the conformance suite (SPEC section 3). The suite is
// black-box: it only needs a base URL and a team admin key; everything else it makes over HTTP.

export interface ConformanceServer {
  /** base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string
  /** a key of one team with `{"*": "admin"}`; the suite makes its other keys with POST /api/keys */
  adminKey: string
  /**
   * Makes a second, unrelated team and returns its admin key. Absent on a target with one team
   * per server (the local node): team-isolation checks are then left out, everything else runs.
   */
  newTeam?: () => Promise<{ adminKey: string }>
  stop(): Promise<void>
}

export interface ConformanceTarget {
  /** shown in the describe block, e.g. "relay" or "node" */
  name: string
  /** true when the server serves POST /api/signup (the relay); the node makes its team itself */
  signup: boolean
  /**
   * The per-key limit of concurrent streams the target starts its server with (at least 5: the
   * suite opens up to 4 streams per key elsewhere). When given, the suite checks that one more is
   * refused with 429 SSE_LIMIT_REACHED and Retry-After, and that closing one frees a slot.
   */
  streamsPerKey?: number
  /**
   * Starts a fresh server. The suite sends a few hundred requests from one address and makes
   * about 80 keys, 300 channels and 4 teams (signup), and opens up to 4 streams per key at once:
   * the target must start the server with rate limits and quotas above that
   * (for the relay e.g. RATE_LIMIT_MAX=100000 and generous key/channel/signup quotas).
   */
  start(): Promise<ConformanceServer>
  /**
   * Optional: starts a second, separate server whose per-key rate limit is `max` requests per
   * `windowMs` (everything else as `start`). When given, the suite checks 429 RATE_LIMITED.
   */
  startRateLimited?(max: number, windowMs: number): Promise<ConformanceServer>
}

/** A relay-style `newTeam`: POST /api/signup on `url`, for targets that serve signup. */
export async function signupTeam(url: string, teamName = 'conformance-b'): Promise<{ adminKey: string }> {
  const res = await fetch(`${url}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ team_name: teamName, sender_name: 'b-admin' }),
    signal: AbortSignal.timeout(10_000),
  })
  const body = (await res.json()) as { api_key?: unknown }
  if (res.status !== 201 || typeof body.api_key !== 'string') {
    throw new Error(`signup failed: ${res.status} ${JSON.stringify(body)}`)
  }
  return { adminKey: body.api_key }
}
