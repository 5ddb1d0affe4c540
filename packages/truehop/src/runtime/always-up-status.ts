// Server status until health checks exist: every server is UP, except `disabled` ones, which
// are in maintenance (MAINT) and never chosen. Implements the same contract the health
// checker will, so the data path does not change when checks arrive.
import type { TruehopModel } from '../model/config-model.js';
import type { ServerStatus, ServerStatusSource } from '../model/server-status.js';

export function alwaysUpStatus(model: TruehopModel): ServerStatusSource {
  const disabled = new Set<string>();
  for (const be of model.backends.values()) {
    for (const s of be.servers) if (s.disabled) disabled.add(`${be.name}\u0000${s.name}`);
  }
  return {
    status(backend: string, server: string): ServerStatus {
      return disabled.has(`${backend}\u0000${server}`) ? 'MAINT' : 'UP';
    },
    subscribe(): () => void {
      return () => {};
    },
  };
}
