// `npm start` / `truehop --demo`: truehop on loopback with the bundled configuration and two
// demo app servers, nothing else to install. Prints how to try it; stops on SIGTERM/SIGINT.
import process from 'node:process';
import { loadConfigText } from '../config/load-config.js';
import { formatDiagnostic } from '../text/diagnostics.js';
import { demoConfig, type DemoPorts } from '../demo/demo-config.js';
import { startDemoApp, type DemoApp } from '../demo/demo-app.js';
import { startDaemon, type RunningDaemon } from './run.js';

export const DEMO_PLAIN_PORT = 8080;
export const DEMO_PROXY_PORT = 8081;

export interface DemoOptions {
  /** Listener ports (0 = any free port, for tests). Defaults 8080 and 8081. */
  plainPort?: number;
  proxyPort?: number;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  handleSignals?: boolean;
}

export interface RunningDemo {
  readonly daemon: RunningDaemon;
  readonly apps: readonly DemoApp[];
  readonly plainPort: number;
  readonly proxyPort: number;
  /** Stops truehop (graceful), then the apps. */
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const apps = [await startDemoApp('app1'), await startDemoApp('app2')];
  const ports: DemoPorts = {
    plain: options.plainPort ?? DEMO_PLAIN_PORT,
    proxy: options.proxyPort ?? DEMO_PROXY_PORT,
    app1: (apps[0] as DemoApp).port,
    app2: (apps[1] as DemoApp).port,
  };
  const loaded = loadConfigText([{ file: '<demo>', text: demoConfig(ports) }]);
  for (const d of loaded.diagnostics) stderr.write(`${formatDiagnostic(d)}\n`);
  if (!loaded.ok) {
    for (const a of apps) await a.close();
    throw new Error('the bundled demo configuration is invalid');
  }
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon(loaded.model, { stdout, stderr, handleSignals: options.handleSignals ?? false });
  } catch (err) {
    for (const a of apps) await a.close();
    throw err;
  }
  const bound = daemon.listening.get('demo') ?? [];
  const demo: RunningDemo = {
    daemon,
    apps,
    plainPort: bound[0]?.port ?? ports.plain,
    proxyPort: bound[1]?.port ?? ports.proxy,
    async stop() {
      await daemon.stop();
      for (const a of apps) await a.close();
    },
  };
  void daemon.stopped.then(async () => {
    for (const a of apps) await a.close();
  });
  return demo;
}

export function demoInstructions(demo: RunningDemo): string {
  return `truehop demo is running (Ctrl-C to stop).

  truehop frontend 'demo':
    127.0.0.1:${demo.plainPort}  plain clients
    127.0.0.1:${demo.proxyPort}  clients that send a PROXY header (accept-proxy)
  backend 'demo_apps' (roundrobin): two Node apps that read the PROXY header truehop sends
    app1 127.0.0.1:${demo.apps[0]?.port}  (send-proxy-v2 + crc32c)
    app2 127.0.0.1:${demo.apps[1]?.port}  (send-proxy, v1)

Try it:
  curl http://127.0.0.1:${demo.plainPort}/
      the app sees your real address; run it twice to meet both apps
  curl --haproxy-protocol http://127.0.0.1:${demo.proxyPort}/
      curl sends its own PROXY header first; truehop reads it and passes the advertised address on
  node -e "require('net').connect(${demo.proxyPort},'127.0.0.1',function(){this.write('PROXY TCP4 203.0.113.7 192.0.2.10 40000 80\\r\\nGET / HTTP/1.0\\r\\n\\r\\n')}).pipe(process.stdout)"
      pretend to be an upstream proxy (AWS NLB, another HAProxy…): the app answers
      "your address … 203.0.113.7:40000"
  curl http://127.0.0.1:${demo.proxyPort}/
      no PROXY header on an accept-proxy listener: refused, and the log says why (PRX_NOT_HDR)

One log line per connection follows (HAProxy tcplog format; proxy=… is the hop that sent the header).
`;
}

/** Runs the demo until SIGTERM/SIGINT. */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const demo = await startDemo({ handleSignals: true, ...options });
  (options.stdout ?? process.stdout).write(demoInstructions(demo));
  await demo.daemon.stopped;
}
