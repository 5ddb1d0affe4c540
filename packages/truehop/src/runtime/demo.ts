// CONTRACT STUB — the data-path helper owns this file and replaces the body: `truehop --demo`
// starts a self-contained demo (loopback only).
export async function runDemo(): Promise<void> {
  throw new Error('the demo is not implemented yet');
}
