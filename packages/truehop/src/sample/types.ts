// Sample types, as HAProxy has them (src/sample.c): every fetch produces, and every
// converter consumes and produces, one of these. Binary values are Buffers (views where
// possible) so a TLV value with NUL bytes travels intact.

export type SampleType = 'bool' | 'int' | 'ipv4' | 'ipv6' | 'str' | 'bin';

export type Sample =
  | { type: 'bool'; value: boolean }
  | { type: 'int'; value: number } // HAProxy ints are signed 64-bit; we keep safe integers
  | { type: 'ipv4'; value: string }
  | { type: 'ipv6'; value: string }
  | { type: 'str'; value: string }
  | { type: 'bin'; value: Buffer };
