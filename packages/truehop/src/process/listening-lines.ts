// The "listening on" lines the CLI prints once the daemon is up, whichever process model runs
// it: with port 0 they are the only way to learn the port, and they tell scripts (and tests)
// that the daemon accepts connections.

/** Bound addresses per frontend, in a form that crosses the cluster IPC channel (plain JSON). */
export type ListeningReport = [frontend: string, addresses: { host: string; port: number }[]][];

export function listeningReport(listening: ReadonlyMap<string, readonly { host: string; port: number }[]>): ListeningReport {
  return [...listening].map(([fe, addrs]) => [fe, addrs.map((a) => ({ host: a.host, port: a.port }))]);
}

export function writeListeningLines(report: ListeningReport, out: NodeJS.WritableStream): void {
  for (const [frontend, addrs] of report) {
    for (const a of addrs) out.write(`truehop: frontend '${frontend}' listening on ${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}\n`);
  }
}
