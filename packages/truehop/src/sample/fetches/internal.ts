// Constants, names, time, ids, variables and connection errors (HAProxy src/sample.c,
// src/vars.c, src/connection.c). None of them depends on the network, except fc_err*.
import { Buffer } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import { byteStringFromText } from '../byte-string.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../ip-address.js';
import { registerFetches, simpleFetch } from '../keyword.js';
import type { FetchImpl } from '../keyword.js';
import type { Sample } from '../types.js';
import { readVar, VAR_SCOPE_PHASE } from '../variables.js';
import { connectionError } from '../../model/connection-errors.js';

function constant(sample: Sample): FetchImpl {
  return { first: () => sample };
}


const UNIT_FACTOR: Readonly<Record<string, number>> = { s: 1, ms: 1000, us: 1_000_000 };

/** UUID version 7 (RFC 9562): 48-bit ms timestamp, version, random, variant. */
function uuidV7(): string {
  const b = randomBytes(16);
  const ms = Date.now();
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((b[6] as number) & 0x0f);
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const TRUE: Sample = { type: 'bool', value: true };
const FALSE: Sample = { type: 'bool', value: false };

registerFetches([
  {
    name: 'always_true', syntax: 'always_true', output: 'bool', earliestPhase: 'connection', args: [],
    summary: 'always true', compile: () => constant(TRUE),
  },
  {
    name: 'always_false', syntax: 'always_false', output: 'bool', earliestPhase: 'connection', args: [],
    summary: 'always false', compile: () => constant(FALSE),
  },
  {
    name: 'str', syntax: 'str(<string>)', output: 'str', earliestPhase: 'connection', args: [{ name: 'string', kind: 'str' }],
    summary: 'a constant string',
    compile: (args) => constant({ type: 'str', value: args[0]?.kind === 'str' ? args[0].value : '' }),
  },
  {
    name: 'int', syntax: 'int(<integer>)', output: 'int', earliestPhase: 'connection', args: [{ name: 'integer', kind: 'int' }],
    summary: 'a constant signed integer',
    compile: (args) => constant({ type: 'int', value: args[0]?.kind === 'int' ? args[0].value : 0 }),
  },
  {
    name: 'bool', syntax: 'bool(<bool>)', output: 'bool', earliestPhase: 'connection', args: [{ name: 'bool', kind: 'str' }],
    summary: "a constant boolean: 'true', 'false' or an integer (non-zero is true)",
    compile(args, site) {
      const text = args[0]?.text ?? '';
      if (/^true$/i.test(text)) return constant(TRUE);
      if (/^false$/i.test(text)) return constant(FALSE);
      if (/^[+-]?\d+$/.test(text)) return constant(Number(text) !== 0 ? TRUE : FALSE);
      site.error(`'${text}' is not a boolean: use true, false or an integer`);
      return undefined;
    },
  },
  {
    name: 'ipv4', syntax: 'ipv4(<address>)', output: 'ipv4', earliestPhase: 'connection', args: [{ name: 'address', kind: 'str' }],
    summary: 'a constant IPv4 address',
    compile(args, site) {
      const v = parseIPv4(args[0]?.text ?? '');
      if (v === undefined) {
        site.error(`'${args[0]?.text ?? ''}' is not an IPv4 address`);
        return undefined;
      }
      return constant({ type: 'ipv4', value: formatIPv4(v) });
    },
  },
  {
    name: 'ipv6', syntax: 'ipv6(<address>)', output: 'ipv6', earliestPhase: 'connection', args: [{ name: 'address', kind: 'str' }],
    summary: 'a constant IPv6 address',
    compile(args, site) {
      const v = parseIPv6(args[0]?.text ?? '');
      if (v === undefined) {
        site.error(`'${args[0]?.text ?? ''}' is not an IPv6 address`);
        return undefined;
      }
      return constant({ type: 'ipv6', value: formatIPv6(v) });
    },
  },
  {
    name: 'bin', syntax: 'bin(<hex>)', output: 'bin', earliestPhase: 'connection', args: [{ name: 'hex', kind: 'str' }],
    summary: 'constant binary data written in hex',
    compile(args, site) {
      const text = args[0]?.text ?? '';
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) {
        site.error(`'${text}' is not an even number of hex digits`);
        return undefined;
      }
      const bytes = Buffer.from(text, 'hex');
      return { first: () => ({ type: 'bin', value: bytes }) };
    },
  },
  {
    name: 'fe_name', syntax: 'fe_name', output: 'str', earliestPhase: 'connection', args: [],
    summary: 'name of the frontend that accepted the connection',
    compile: simpleFetch((ctx) => ({ type: 'str', value: byteStringFromText(ctx.frontendName) })),
  },
  {
    name: 'be_name', syntax: 'be_name', output: 'str', earliestPhase: 'backend', args: [],
    phaseReason: 'the backend is chosen after the frontend rules',
    summary: 'name of the backend chosen for the session',
    compile: simpleFetch((ctx) => (ctx.backendName === null ? undefined : { type: 'str', value: byteStringFromText(ctx.backendName) })),
  },
  {
    name: 'srv_name', syntax: 'srv_name', output: 'str', earliestPhase: 'backend', args: [],
    phaseReason: 'the server is chosen by the backend',
    summary: 'name of the server the session goes to',
    compile: simpleFetch((ctx) => (ctx.serverName === null ? undefined : { type: 'str', value: byteStringFromText(ctx.serverName) })),
  },
  {
    name: 'date', syntax: 'date([<offset>],[<unit>])', output: 'int', earliestPhase: 'connection',
    args: [{ name: 'offset', kind: 'int', optional: true }, { name: 'unit', kind: 'str', optional: true }],
    summary: 'current time since the epoch plus <offset>, in s (default), ms or us',
    compile(args, site) {
      const unitText = args[1]?.kind === 'str' ? args[1].text : 's';
      const factor = UNIT_FACTOR[unitText];
      if (factor === undefined) {
        site.error(`unit '${unitText}' is not s, ms or us`);
        return undefined;
      }
      const offset = args[0]?.kind === 'int' ? args[0].value : 0;
      return { first: () => ({ type: 'int', value: Math.floor((Date.now() * factor) / 1000) + offset }) };
    },
  },
  {
    name: 'uuid', syntax: 'uuid([<version>])', output: 'str', earliestPhase: 'connection',
    args: [{ name: 'version', kind: 'int', optional: true }],
    summary: 'a random UUID, version 4 (default) or 7',
    compile(args, site) {
      const version = args[0]?.kind === 'int' ? args[0].value : 4;
      if (version === 4) return { first: () => ({ type: 'str', value: randomUUID() }) };
      if (version === 7) return { first: () => ({ type: 'str', value: uuidV7() }) };
      site.error(`UUID version ${version} is not supported: use 4 or 7`);
      return undefined;
    },
  },
  {
    name: 'var', syntax: 'var(<scope>.<name>[,<default>])', output: 'any', earliestPhase: 'connection',
    args: [{ name: 'scope.name', kind: 'var' }, { name: 'default', kind: 'str', optional: true }],
    summary: 'value of a variable (scopes proc, sess, txn, req, res), or <default> as a string when unset',
    compile(args, site) {
      const ref = args[0]?.kind === 'var' ? args[0].ref : undefined;
      if (ref === undefined) return undefined;
      if (VAR_SCOPE_PHASE[ref.scope] !== 'connection') {
        site.warning(`variable scope '${ref.scope}' exists from 'tcp-request content' on; earlier it is always empty`);
      }
      const fallback: Sample | undefined = args[1]?.kind === 'str' ? { type: 'str', value: args[1].value } : undefined;
      return { first: (ctx) => readVar(ctx, ref) ?? fallback };
    },
  },
  {
    name: 'fc_err', syntax: 'fc_err', output: 'int', earliestPhase: 'connection', args: [],
    summary: 'connection error code (PRX_* 11-17, §4.16); 0 when none',
    compile: simpleFetch((ctx) => ({ type: 'int', value: ctx.errorCode === null ? 0 : (connectionError(ctx.errorCode)?.code ?? 1) })),
  },
  {
    name: 'fc_err_name', syntax: 'fc_err_name', output: 'str', earliestPhase: 'connection', args: [],
    summary: 'connection error name, e.g. PRX_BAD_HDR; no sample when none',
    compile: simpleFetch((ctx) => (ctx.errorCode === null ? undefined
      : { type: 'str', value: connectionError(ctx.errorCode)?.name ?? byteStringFromText(ctx.errorCode) })),
  },
  {
    name: 'fc_err_str', syntax: 'fc_err_str', output: 'str', earliestPhase: 'connection', args: [],
    summary: 'connection error message, as in the log; no sample when none',
    compile: simpleFetch((ctx) => (ctx.errorCode === null ? undefined
      : { type: 'str', value: connectionError(ctx.errorCode)?.text ?? 'Unknown connection error' })),
  },
]);
