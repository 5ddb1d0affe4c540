// Types of scripts/peers.mjs for the TypeScript test helpers that load it.
export interface Peer {
  readonly binary: string;
  readonly debian: string;
  readonly service?: boolean;
  readonly usedBy: string;
}
export declare const PEERS: readonly Peer[];
export declare const MISSING_PEER: string;
export declare function peer(binary: string): Peer;
export declare function findPeer(binary: string): string | undefined;
export declare function missingPeers(): Peer[];
export declare function installCommand(entries?: readonly Peer[]): string;
export declare function peerSkip(...binaries: string[]): false | string;
export declare function requirePeer(binary: string): string;
