// truehop's programmatic API: load an HAProxy-syntax configuration into the frozen model.
export { loadConfig, loadConfigText, MAX_CONFIG_FILE_BYTES } from './config/load-config.js';
export type { ConfigSource, LoadOptions, LoadResult } from './config/load-config.js';
export { Diagnostics, formatDiagnostic } from './text/diagnostics.js';
export type { Diagnostic, DiagnosticSink, Severity } from './text/diagnostics.js';
export type { SourcePos, Word } from './text/source.js';
export type {
  BackendModel,
  BalanceAlgorithm,
  BindModel,
  CheckKind,
  CheckModel,
  FrontendModel,
  GlobalModel,
  LogTarget,
  ProxyMode,
  ProxyV2Option,
  ServerModel,
  TcpCheckStep,
  Timeouts,
  TlvFormat,
  TruehopModel,
  UseBackendRule,
} from './model/config-model.js';
