// Balancer windows that may overlap: each backup job that needs the balancer stopped holds a
// lease (a document in the cluster, one per job) for as long as it runs. The balancer is
// stopped by whoever finds it running, and started again only when the last holder leaves, and
// only if it was running when the first one came; a balancer an operator stopped stays stopped.
// A holder that died leaves a lease that expires, and the next window takes over its duty to
// start the balancer again.
//
// Like plan-sharding.ts, these functions are embedded into the mongosh script
// (balancer-script.ts) as their own source text: only arguments, language globals and each other.

export interface BalancerHold {
  _id: string;
  expiresAt: Date;
  /** Whether this window must start the balancer again when it is the last to leave. */
  restart: boolean;
}

export interface OpeningState {
  /** balancerStatus.mode before this window: "full" or "off". */
  mode: string;
  /** Other windows' leases that have not expired. */
  otherLive: BalancerHold[];
  /** Leases of windows that died without closing. */
  expired: BalancerHold[];
}

export interface OpeningDecision {
  /** Send balancerStop (it is running). */
  stop: boolean;
  /** This window's duty to start it again, when it is the last to leave. */
  restart: boolean;
  why: string;
}

export function openWindow(state: OpeningState): OpeningDecision {
  if (state.mode !== "off") return { stop: true, restart: true, why: "the balancer is running: this window stops it and starts it again when the last window closes" };
  if (state.otherLive.length > 0)
    return { stop: false, restart: state.otherLive.some((h) => h.restart), why: `joins ${state.otherLive.length} open window(s) that stopped the balancer` };
  if (state.expired.some((h) => h.restart))
    return { stop: false, restart: true, why: `takes over from a window that died with the balancer stopped (${state.expired.map((h) => h._id).join(", ")})` };
  return { stop: false, restart: false, why: "the balancer was stopped by someone else: it stays stopped" };
}

export interface ClosingState {
  /** This window's lease as stored, or null when it expired and another window cleared it. */
  own: BalancerHold | null;
  otherLive: BalancerHold[];
}

export interface ClosingDecision {
  /** Send balancerStart. */
  start: boolean;
  /** Hand this window's restart duty to the windows still open. */
  handOver: boolean;
  why: string;
}

export function closeWindow(state: ClosingState): ClosingDecision {
  if (!state.own) return { start: false, handOver: false, why: "this window's lease had expired and was taken over: the window that took it starts the balancer" };
  if (state.otherLive.length > 0)
    return { start: false, handOver: state.own.restart, why: `${state.otherLive.length} other window(s) still open: the last to close decides` };
  if (state.own.restart) return { start: true, handOver: false, why: "last window to close: the balancer was running before, start it" };
  return { start: false, handOver: false, why: "last window to close: the balancer was stopped before the windows, it stays stopped" };
}

/** Every function the balancer script needs, in the order it defines them. */
export const BALANCER_EMBEDDED_FUNCTIONS = [openWindow, closeWindow] as const;
