// The codec's error codes mapped to HAProxy's fc_err_name values (§4.16), so logs and
// `fc_err_name` read like HAProxy's. Our finer codes keep their own name in the log detail.
import type { ProxyErrorCode } from '@truehop/proxy-protocol';

export const HAPROXY_ERROR_NAME: Readonly<Record<ProxyErrorCode, string>> = {
  EMPTY: 'PRX_EMPTY',
  ABORT: 'PRX_ABORT',
  TIMEOUT: 'PRX_TIMEOUT',
  TRUNCATED: 'PRX_TRUNCATED',
  NOT_HDR: 'PRX_NOT_HDR',
  BAD_HDR: 'PRX_BAD_HDR',
  BAD_PROTO: 'PRX_BAD_PROTO',
  // HAProxy reports a header larger than its buffer as truncated (§2.7).
  TOO_LARGE: 'PRX_TRUNCATED',
  BAD_TLV: 'PRX_BAD_HDR',
  CRC_MISMATCH: 'PRX_BAD_HDR',
  UNTRUSTED_SOURCE: 'PRX_NOT_HDR',
};
