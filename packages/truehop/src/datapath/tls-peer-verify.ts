// The one private Node call the TLS termination relies on (listed in docs/transport.md beside
// the raw transport's bindings).
import type tls from 'node:tls';

/**
 * The verification result of a server-side TLSSocket's client certificate: null when it
 * verified, else OpenSSL's reason as Node names it ('CERT_HAS_EXPIRED', …). tls.Server reads
 * it the same way (`_handle.verifyError()`, exposed as `ssl`); a TLSSocket made over an
 * accepted socket has no public equivalent. Without the method the answer is a failure, so a
 * Node that changed it refuses client certificates rather than trusting them.
 */
export function peerVerifyError(socket: tls.TLSSocket): string | null {
  const handle = (socket as unknown as { ssl?: { verifyError?: () => (Error & { code?: string }) | null } | null }).ssl;
  if (typeof handle?.verifyError !== 'function') return 'UNSPECIFIED';
  const err = handle.verifyError();
  return err === null || err === undefined ? null : (err.code ?? 'UNSPECIFIED');
}
