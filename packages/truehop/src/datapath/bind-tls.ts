// One TLS bind's run-time side: the TLSSocket options for each of its certificates, made once
// when the listener starts, and the certificate an SNI name selects.
import { Buffer } from 'node:buffer';
import type tls from 'node:tls';
import type { BindTlsModel, TlsCertificate } from '../model/tls.js';
import type { RawTlsOptions } from './transport/raw-tls.js';

/** ALPN protocol names in TLS wire format (each prefixed with its length), as TLSWrap takes them. */
function alpnWire(protocols: readonly string[]): Uint8Array {
  const parts = protocols.map((p) => Buffer.from(p, 'latin1'));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out[at++] = p.length;
    at += p.copy(out, at);
  }
  return out;
}

/** The TLSSocket options and the SNI choice of one bind, made once when the listener starts. */
export class BindTls {
  /** TLSSocket options per secure context (each certificate's, and the no-match one). */
  private readonly optionsByContext = new Map<tls.SecureContext, tls.TLSSocketOptions>();
  /** The same options for raw TLS (raw-tls.ts), per secure context. */
  private readonly rawOptionsByContext = new Map<tls.SecureContext, RawTlsOptions>();
  /**
   * The SNI can change which certificate (context) a handshake presents: another certificate
   * answers to some name, or strict-sni starts handshakes on a context without one. When it
   * cannot (one certificate, the common case), the ClientHello is not read before TLS starts:
   * OpenSSL reads it from the socket itself (one read, one parse and one copy less per
   * handshake).
   */
  readonly choosesBySni: boolean;

  constructor(readonly model: BindTlsModel) {
    const named = [...model.byName.values(), ...model.byWildcard.values()];
    this.choosesBySni = model.handshakeContext !== model.defaultCertificate.context || named.some((c) => c !== model.defaultCertificate);
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
      this.rawOptionsByContext.set(secureContext, Object.freeze({
        secureContext,
        requestCert: options.requestCert === true,
        rejectUnauthorized: options.rejectUnauthorized === true,
        alpnWire: model.alpn === undefined ? null : alpnWire(model.alpn),
      }));
    }
  }

  /** The TLSSocket options presenting `cert` (undefined: the handshake context, no SNI match). */
  optionsFor(cert: TlsCertificate | undefined): tls.TLSSocketOptions {
    return this.optionsByContext.get(cert?.context ?? this.model.handshakeContext) as tls.TLSSocketOptions;
  }

  /** The raw TLS options presenting `cert` (undefined: the handshake context, no SNI match). */
  rawOptionsFor(cert: TlsCertificate | undefined): RawTlsOptions {
    return this.rawOptionsByContext.get(cert?.context ?? this.model.handshakeContext) as RawTlsOptions;
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
