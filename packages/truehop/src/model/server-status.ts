// The health of each server as the data path sees it. Health checks (health/) implement the
// source; the balancers (datapath/) only read it, so choosing a server never waits on a check.
export type ServerStatus = 'UP' | 'DOWN' | 'MAINT';

export interface ServerStatusSource {
  /** Current status of `server` in `backend`; servers without `check` are always UP (MAINT when disabled). */
  status(backend: string, server: string): ServerStatus;
  /** Called on every transition; returns an unsubscribe function. */
  subscribe(listener: (backend: string, server: string, status: ServerStatus) => void): () => void;
}
