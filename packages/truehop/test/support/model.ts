// Hand-built TruehopModel objects for end-to-end tests: the data path consumes the frozen
// model, so tests can drive it without the config loader (which is tested on its own).
import type {
  BackendModel,
  BindModel,
  FrontendModel,
  GlobalModel,
  LogTarget,
  ServerModel,
  TruehopModel,
} from '../../src/model/config-model.js';
import type { SessionContext } from '../../src/model/session.js';
import type { CompiledCondition, CompiledLogFormat, CompiledTcpRule, RuleVerdict } from '../../src/sample/compiled.js';
import type { SourcePos } from '../../src/text/source.js';

export const POS: SourcePos = { file: 'test.cfg', line: 1, col: 1 };

export function bind(partial: Partial<BindModel> = {}): BindModel {
  return { host: '127.0.0.1', port: 0, acceptProxy: false, v4v6: false, v6only: false, pos: POS, ...partial };
}

export function server(name: string, port: number, partial: Partial<ServerModel> = {}): ServerModel {
  return {
    name,
    host: '127.0.0.1',
    port,
    weight: 1,
    backup: false,
    disabled: false,
    sendProxy: 'none',
    proxyV2Options: new Set(),
    tlvFormats: [],
    check: { enabled: false, interMs: 2000, fastinterMs: 2000, downinterMs: 2000, rise: 2, fall: 3, sendProxy: false },
    pos: POS,
    ...partial,
  };
}

export function backend(name: string, servers: ServerModel[], partial: Partial<BackendModel> = {}): BackendModel {
  return {
    name,
    mode: 'tcp',
    balance: 'roundrobin',
    servers,
    timeouts: { connect: 2000, server: 10000 },
    retries: 3,
    redispatch: false,
    checkKind: { kind: 'tcp' },
    pos: POS,
    ...partial,
  };
}

export function frontend(name: string, binds: BindModel[], partial: Partial<FrontendModel> = {}): FrontendModel {
  return {
    name,
    mode: 'tcp',
    binds,
    timeouts: { client: 10000 },
    useBackends: [],
    tcpRequest: { connection: [], session: [], content: [] },
    logs: [],
    pos: POS,
    ...partial,
  };
}

export function model(frontends: FrontendModel[], backends: BackendModel[], global: Partial<GlobalModel> = {}): TruehopModel {
  return {
    global: { pp2NeverSendLocal: false, logs: [], statsSockets: [], ...global },
    frontends: new Map(frontends.map((f) => [f.name, f])),
    backends: new Map(backends.map((b) => [b.name, b])),
  };
}

/** A one-frontend, one-backend model (the common case). */
export function simple(
  servers: ServerModel[],
  opts: { bind?: Partial<BindModel>; frontend?: Partial<FrontendModel>; backend?: Partial<BackendModel>; global?: Partial<GlobalModel> } = {},
): TruehopModel {
  const be = backend('be', servers, opts.backend);
  const fe = frontend('fe', [bind(opts.bind)], { defaultBackend: be, ...opts.frontend });
  return model([fe], [be], opts.global);
}

export function condition(test: (ctx: SessionContext) => boolean, source = 'test'): CompiledCondition {
  return { source, earliestPhase: 'connection', test };
}

export function logFormat(render: (ctx: SessionContext) => Buffer, source = 'test'): CompiledLogFormat {
  return { source, earliestPhase: 'connection', render };
}

export function tcpRule(
  phase: CompiledTcpRule['phase'],
  verdict: RuleVerdict,
  cond: (ctx: SessionContext) => boolean,
  expectsProxy = false,
): CompiledTcpRule {
  return {
    source: `tcp-request ${phase} test`,
    phase,
    expectsProxy,
    inspectsContent: false,
    run(ctx) {
      const matched = cond(ctx);
      return { verdict: matched ? verdict : 'continue', matched };
    },
  };
}

export function stdoutLog(): LogTarget {
  return { kind: 'stdout', facility: 'local0', format: 'raw', pos: POS };
}
