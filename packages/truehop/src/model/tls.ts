// What a TLS bind is at run time (its certificates, SNI index and client-certificate policy),
// decided at load time by config/tls/bind-tls.ts; the data path (datapath/bind-tls.ts,
// tls-handshake.ts) and the session's TLS facts (session.ts) read it.
import type { SecureContext } from 'node:tls';

/** One certificate of a TLS bind (`crt`), with what the SSL TLV says about it (cert-sig, cert-key). */
export interface TlsCertificate {
  readonly context: SecureContext;
  /** The file it came from, for messages (never its contents). */
  readonly file: string;
  /** HAProxy's cert-key string for this certificate's public key, e.g. 'EC256', 'RSA2048'. */
  readonly keyAlg: string;
  /** OpenSSL's short name of its signature algorithm (cert-sig), e.g. 'ecdsa-with-SHA256'. */
  readonly sigAlg: string;
}

/** Everything a TLS bind needs at run time, decided at load: contexts built, names indexed. */
export interface BindTlsModel {
  /** The certificate used without SNI or when no name matches (the first `crt`). */
  readonly defaultCertificate: TlsCertificate;
  /**
   * The context a handshake starts with: the default certificate's, or under strict-sni one
   * without any certificate, so a client without SNI or with an unknown name cannot complete it.
   */
  readonly handshakeContext: SecureContext;
  /** Lower-cased DNS names (SAN, else CN) → certificate; the first certificate declaring a name wins. */
  readonly byName: ReadonlyMap<string, TlsCertificate>;
  /** `*.example.com` names, by their suffix '.example.com'. */
  readonly byWildcard: ReadonlyMap<string, TlsCertificate>;
  /** `strict-sni`: no SNI, or no certificate for it, fails the handshake. */
  readonly strictSni: boolean;
  readonly verify: 'none' | 'optional' | 'required';
  /** `alpn`, in preference order (the server's order wins, as OpenSSL's select_next_proto). */
  readonly alpn: readonly string[] | undefined;
}
