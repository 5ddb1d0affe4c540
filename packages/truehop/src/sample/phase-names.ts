// Human names of evaluation phases, for diagnostics.
import type { Phase } from '../model/session.js';

export const PHASE_LABEL: Readonly<Record<Phase, string>> = {
  connection: "'tcp-request connection' rules",
  session: "'tcp-request session' rules",
  content: "'tcp-request content' rules",
  'http-request': "'http-request' rules (mode http services)",
  backend: 'the backend (server connection, logs)',
};
