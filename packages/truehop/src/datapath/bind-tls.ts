// One TLS bind's run-time side: the TLSSocket options for each of its certificates, made once
// when the listener starts, and the certificate an SNI name selects.
import type tls from 'node:tls';
import type { BindTlsModel, TlsCertificate } from '../model/tls.js';

/** The TLSSocket options and the SNI choice of one bind, made once when the listener starts. */
export class BindTls {
  /** TLSSocket options per secure context (each certificate's, and the no-match one). */
  private readonly optionsByContext = new Map<tls.SecureContext, tls.TLSSocketOptions>();

  constructor(readonly model: BindTlsModel) {
    const contexts = [model.handshakeContext, ...[...model.byName.values(), ...model.byWildcard.values()].map((c) => c.context)];
    for (const secureContext of contexts) {
      if (this.optionsByContext.has(secureContext)) continue;
      const options: tls.TLSSocketOptions = {
        isServer: true,
        secureContext,
        requestCert: model.verify !== 'none',
        // 'required': OpenSSL refuses a handshake without a client certificate
        // (SSL_VERIFY_FAIL_IF_NO_PEER_CERT); a certificate that fails verification is
        // refused once the handshake is done (TlsHandshakePhase.onSecure).
        rejectUnauthorized: model.verify === 'required',
      };
      if (model.alpn !== undefined) options.ALPNProtocols = [...model.alpn];
      this.optionsByContext.set(secureContext, Object.freeze(options));
    }
  }

  /** The TLSSocket options presenting `cert` (undefined: the handshake context, no SNI match). */
  optionsFor(cert: TlsCertificate | undefined): tls.TLSSocketOptions {
    return this.optionsByContext.get(cert?.context ?? this.model.handshakeContext) as tls.TLSSocketOptions;
  }

  /**
   * The certificate for an SNI name: exact name, then `*.parent`; undefined keeps the
   * default (under strict-sni a context without certificate, so the handshake fails).
   */
  certificateFor(servername: string | null | undefined): TlsCertificate | undefined {
    if (!servername) return undefined;
    const name = servername.toLowerCase();
    const exact = this.model.byName.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? this.model.byWildcard.get(name.slice(dot)) : undefined;
  }
}
