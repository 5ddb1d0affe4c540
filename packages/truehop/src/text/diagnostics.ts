// Diagnostics are collected, never thrown: a config check reports every problem before it
// exits (STYLE.md example 7). Printed as `file:line:col: alert|warning: message [CODE]`.
import type { SourcePos } from './source.js';

export type Severity = 'alert' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable upper-case code, e.g. UNKNOWN_KEYWORD; tests assert codes, not messages. */
  code: string;
  message: string;
  pos: SourcePos;
}

export interface DiagnosticSink {
  alert(pos: SourcePos, code: string, message: string): void;
  warning(pos: SourcePos, code: string, message: string): void;
}

export class Diagnostics implements DiagnosticSink {
  readonly items: Diagnostic[] = [];

  alert(pos: SourcePos, code: string, message: string): void {
    this.items.push({ severity: 'alert', code, message, pos });
  }

  warning(pos: SourcePos, code: string, message: string): void {
    this.items.push({ severity: 'warning', code, message, pos });
  }

  get hasAlerts(): boolean {
    return this.items.some((d) => d.severity === 'alert');
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${d.severity}: ${d.message} [${d.code}]`;
}
