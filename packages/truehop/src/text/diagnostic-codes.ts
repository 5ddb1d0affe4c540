// Every diagnostic code the configuration pipeline emits — the loader (config/) and the
// expression engine (sample/, acl/, rules/) — with what it means: the contract behind `[CODE]`
// in check-mode output (STYLE.md example 8). DiagnosticSink only takes these codes, so a code
// missing here does not compile; the table is rendered into docs/config-keywords.md, and a
// test checks that every code is emitted somewhere and documented there.
export const DIAGNOSTIC_CODES = {
  // input and syntax
  FILE_UNREADABLE: 'a configuration or pattern file cannot be read',
  FILE_TOO_LARGE: 'a configuration or pattern file is over the size cap',
  LINE_TOO_LONG: 'a line is longer than 65,536 characters',
  TOO_MANY_WORDS: 'a line has more than 1,024 words',
  UNMATCHED_QUOTE: 'a quote is not closed on its line (HAProxy has no line continuation)',
  BAD_ESCAPE: 'an invalid \\x escape',
  BAD_ENV_SYNTAX: 'a malformed ${…} environment reference',
  ENV_UNDEFINED: 'warning: an environment variable is not set and expands to nothing',
  BAD_CONDITION: 'a malformed .if/.elif/.else/.endif block or condition, or use_backend without if/unless',
  CONFIG_ALERT: 'an .alert directive was reached',
  CONFIG_WARNING: 'warning: a .warning directive was reached',
  // sections and names
  OUTSIDE_SECTION: 'a keyword before any section',
  MISSING_NAME: 'a frontend, backend or listen without a name',
  BAD_NAME: 'a proxy, server or ACL name with characters HAProxy refuses',
  UNKNOWN_DEFAULTS: "'from <defaults>' names no defaults section declared before",
  DUPLICATE_DEFAULTS: 'two defaults sections with the same name',
  DUPLICATE_PROXY: 'two proxies with the same name and capability',
  DUPLICATE_SERVER: 'two servers with the same name in one backend',
  DUPLICATE_BIND: 'the same address and port bound twice',
  // keywords and arguments
  UNKNOWN_KEYWORD: 'not a keyword truehop or HAProxy knows here (with "did you mean" when one is close)',
  NOT_SUPPORTED_YET: 'a real HAProxy keyword, section, option, fetch, converter, action or form truehop does not implement yet',
  PARSED_NOT_APPLIED: 'warning: accepted for compatibility, not applied by truehop',
  NOT_ALLOWED_IN_SECTION: 'a keyword used where it can never work (bind in a backend, server in a frontend, …)',
  IGNORED_IN_SECTION: 'warning: a keyword the proxy has no capability for (as HAProxy, it is ignored)',
  MISSING_ARGUMENT: 'a keyword without its argument',
  EXTRA_ARGUMENT: 'an unexpected argument after a keyword',
  BAD_VALUE: 'an argument outside the keyword\'s allowed values',
  BAD_NUMBER: 'not an integer, or out of range',
  BAD_TIME: 'not a time value, or above the 2^31-1 ms timer cap',
  CONFLICTING_OPTIONS: 'warning: options that contradict each other (v4v6 with v6only)',
  // addresses and logs
  BAD_ADDRESS: 'an invalid address',
  MISSING_PORT: 'a bind address without a port',
  BAD_PORT: 'a port out of range',
  PORT_RANGE: 'a bind port range (write one address per port)',
  BAD_LOG_TARGET: 'an invalid log target',
  BAD_FACILITY: 'an unknown syslog facility',
  BAD_LEVEL: 'an unknown syslog level',
  // PROXY protocol on servers (docs/protocol.md §4.3-§4.8)
  UNKNOWN_PV2_OPTION: "a proxy-v2-options name HAProxy does not implement ('proxy v2 option not implemented')",
  BAD_TLV_ID: 'set-proxy-v2-tlv-fmt(<id>) id not a strtoul base-0 number, or above 255',
  TLV_FMT_NO_ID: 'warning: set-proxy-v2-tlv-fmt without (<id>) sends TLV type 0',
  EMPTY_TLV_FMT: 'warning: set-proxy-v2-tlv-fmt with an empty format sends an empty TLV',
  PP2_OPTION_WITHOUT_V2: 'warning: proxy-v2-options on a server that does not send a v2 header (HAProxy is silent)',
  TLV_FMT_WITHOUT_V2: 'warning: set-proxy-v2-tlv-fmt on a server that does not send a v2 header (HAProxy is silent)',
  CHECK_WITHOUT_PROXY: 'warning: health checks to port/addr do not inherit send-proxy; add check-send-proxy',
  IGNORED_WITHOUT_OPTION: 'warning: tcp-check or http-check rules without option tcp-check/httpchk',
  // whole configuration
  UNKNOWN_BACKEND: 'default_backend or use_backend names no backend',
  MODE_MISMATCH: 'an HTTP frontend uses a TCP backend (reachable once mode http is supported)',
  FRONTEND_NO_BIND: 'a frontend or listen without any bind line',
  MISSING_TIMEOUTS: 'warning: timeout client (frontends) or connect/server (backends) not set, as HAProxy warns',
  NO_LISTENER: 'warning: no frontend or listen: valid, but nothing would listen (HAProxy exits 2)',
  HTTPLOG_IN_TCP_MODE: "warning: option httplog outside mode http falls back to tcplog, as in HAProxy",
  // sample expressions and log formats (src/sample)
  BAD_EXPRESSION: 'a sample expression that cannot be read (empty, a stray character, a missing parenthesis)',
  UNKNOWN_FETCH: 'not a fetch truehop or HAProxy knows (with "did you mean" when one is close)',
  UNKNOWN_CONVERTER: 'not a converter truehop or HAProxy knows (with "did you mean" when one is close)',
  BAD_ARGUMENT: 'a fetch, converter or rule argument that is missing, extra or invalid',
  CONVERTER_TYPE: 'a converter that cannot take the type of the sample before it',
  FETCH_NOT_AVAILABLE: 'a fetch used where its data does not exist yet (e.g. a PROXY TLV in tcp-request connection)',
  SAMPLE_WARNING: 'warning: an expression that works but not as written (a trailing comma, an argument HAProxy ignores)',
  BAD_LOG_FORMAT: "a malformed log-format string (an unclosed '%[' or '%{', a lone '%')",
  UNKNOWN_LOG_ALIAS: 'a log-format %alias that does not exist',
  LOG_FORMAT_OPTION_IGNORED: 'warning: a log-format %{+option} truehop does not implement; ignored',
  // ACLs and conditions (src/acl)
  BAD_ACL: 'a malformed ACL: its name, flags or match method',
  BAD_PATTERN: 'an ACL pattern that is invalid for its match method (a bad address, regex or number)',
  ACL_MATCH_METHOD_REQUIRED: 'an ACL on a fetch whose type needs an explicit -m method',
  ACL_OPERATOR_AS_PATTERN: 'warning: an operator-like word taken as a pattern, as HAProxy does',
  ACL_PATTERN_IGNORED: 'warning: patterns given to a match method that ignores them (-m found, bool)',
  ACL_NO_PATTERN: 'warning: an ACL without a pattern never matches',
  ACL_HEX_CASE: 'warning: a lower-case pattern compared with upper-case hex output',
  ACL_FLAG_IGNORED: 'warning: an ACL flag that has no effect in truehop (-M, -u)',
  ACL_SHADOWS_PREDEFINED: 'warning: an ACL that hides a predefined ACL of the same name',
  UNKNOWN_ACL: 'a condition names an ACL not declared before it (nor predefined)',
  ACL_NOT_AVAILABLE: 'an ACL used where its data does not exist yet',
  CONDITION_TRAILING_OPERATOR: "warning: a condition ending in '!' or '||', ignored as HAProxy does",
  // tcp-request rules (src/rules)
  BAD_ACTION: 'a malformed rule action (a missing variable name, a condition where none is allowed)',
  UNKNOWN_ACTION: 'not a tcp-request action truehop or HAProxy knows',
  VAR_SCOPE_NOT_AVAILABLE: 'warning: a variable scope that does not exist yet where the rule runs',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
