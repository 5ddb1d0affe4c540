// fastify's `serverFactory` hook, for apps that build the server themselves. Published as the
// subpath `@truehop/node/fastify` so that only apps using it load http, https and http2.
// The simpler recipe needs no adapter: `acceptProxyProtocol(app.server, options)` right after
// `fastify()` (fastify creates its server in the constructor). Both leave `trustProxy` off: the address
// comes from the socket, which now reports the PROXY header's client.
import { createServer as createHttpServer } from 'node:http';
import type { RequestListener, Server as HttpServer, ServerOptions as HttpServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer, ServerOptions as HttpsServerOptions } from 'node:https';
import { createSecureServer as createHttp2SecureServer, createServer as createHttp2Server } from 'node:http2';
import type { Http2SecureServer, Http2Server, Http2ServerRequest, Http2ServerResponse, Http2Session, SecureServerOptions } from 'node:http2';
import type { AcceptProxyOptions } from '../policy.js';
import { acceptProxyProtocol } from '../index.js';

/** The part of fastify's options the factory reads (fastify passes all of them). */
export interface FastifyServerFactoryOptions {
  http?: HttpServerOptions | null;
  https?: HttpsServerOptions | SecureServerOptions | true | null;
  http2?: boolean;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  http2SessionTimeout?: number;
}

type AnyHandler = (req: never, res: never) => void;

type FastifyRawServer = HttpServer | HttpsServer | Http2Server | Http2SecureServer;

/**
 * `fastify({ serverFactory: proxyProtocolServerFactory({ trusted: ['10.0.0.0/8'] }) })`.
 * Builds the server fastify would have built from its own `http`, `https` and `http2` options
 * (http/1.1, https, h2c or h2 over TLS), applies fastify's timeout options that a factory
 * bypasses, and returns it already accepting PROXY headers.
 *
 * The type parameter only tells TypeScript which server that is (fastify types its instance
 * by it, like `Fastify<Http2SecureServer>`); at run time the kind follows fastify's options.
 */
export function proxyProtocolServerFactory<S extends FastifyRawServer = HttpServer>(options?: AcceptProxyOptions) {
  return (handler: AnyHandler, opts: FastifyServerFactoryOptions = {}): S => {
    const tlsOptions = opts.https === true ? {} : (opts.https ?? undefined);
    let server: HttpServer | HttpsServer | Http2Server | Http2SecureServer;
    if (opts.http2 === true) {
      const h2 = handler as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void;
      server = tlsOptions === undefined ? createHttp2Server(h2) : createHttp2SecureServer(tlsOptions as SecureServerOptions, h2);
      const sessionTimeout = opts.http2SessionTimeout;
      if (typeof sessionTimeout === 'number' && sessionTimeout > 0) {
        // What fastify does for its own http2 servers: an idle session is closed, not kept forever.
        server.on('session', (session: Http2Session) => session.setTimeout(sessionTimeout, () => session.close()));
      }
    } else {
      const h1 = handler as unknown as RequestListener;
      if (tlsOptions === undefined) {
        server = createHttpServer(opts.http ?? {}, h1);
      } else {
        server = createHttpsServer(tlsOptions as HttpsServerOptions, h1);
      }
      if (typeof opts.keepAliveTimeout === 'number') server.keepAliveTimeout = opts.keepAliveTimeout;
      if (typeof opts.requestTimeout === 'number') server.requestTimeout = opts.requestTimeout;
    }
    if (typeof opts.connectionTimeout === 'number' && opts.connectionTimeout > 0) server.setTimeout(opts.connectionTimeout);
    return acceptProxyProtocol(server, options) as S;
  };
}
