/**
 * Usage windows close on whole seconds (@recmesh/bus UsagePublisher); grid points take effect on
 * whole seconds too, so no usage window straddles a change of the grid factor and the ledger
 * costs each window with the factor the receipts in it used.
 */
export const USAGE_WINDOW_MS = 1000;

/** `ms` rounded up to the next usage-window boundary. */
export function onWindowBoundary(ms: number): number {
  return Math.ceil(ms / USAGE_WINDOW_MS) * USAGE_WINDOW_MS;
}
