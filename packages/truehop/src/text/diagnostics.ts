// Diagnostics are collected, never thrown: a config check reports every problem before it
// exits (STYLE.md example 7). Printed as `file:line:col: alert|warning: message [CODE]`.
import type { SourcePos } from './source.js';
import type { DiagnosticCode } from './diagnostic-codes.js';

export type Severity = 'alert' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable upper-case code from DIAGNOSTIC_CODES; tests assert codes, not messages. */
  code: DiagnosticCode;
  message: string;
  pos: SourcePos;
}

export interface DiagnosticSink {
  alert(pos: SourcePos, code: DiagnosticCode, message: string): void;
  warning(pos: SourcePos, code: DiagnosticCode, message: string): void;
}

export class Diagnostics implements DiagnosticSink {
  readonly items: Diagnostic[] = [];

  alert(pos: SourcePos, code: DiagnosticCode, message: string): void {
    this.items.push({ severity: 'alert', code, message, pos });
  }

  warning(pos: SourcePos, code: DiagnosticCode, message: string): void {
    this.items.push({ severity: 'warning', code, message, pos });
  }

  get hasAlerts(): boolean {
    return this.items.some((d) => d.severity === 'alert');
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${d.severity}: ${d.message} [${d.code}]`;
}
