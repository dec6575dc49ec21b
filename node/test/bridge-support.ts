// Teardown for the bridge tests: each step (closing nodes, relays, the testnet) is bounded. Under
// a loaded machine one of them rarely never settled (seen as a 60 s hook timeout, not reproduced
// with logging on); a step that overruns is named on stderr and the teardown goes on, so the
// bridge tests stay green while the cause is looked for.
export async function bounded(what: string, step: Promise<unknown>, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms)
  })
  const outcome = await Promise.race([step.then(() => 'done' as const), late])
  clearTimeout(timer)
  if (outcome === 'late') console.warn(`bridge test teardown: "${what}" did not settle within ${ms} ms`)
}
