// Choosing a server is separate from reaching it (STYLE.md example 9): each algorithm is one
// `pick` over the servers of a group, built once per backend with its own state. `pick`
// allocates nothing: it walks the fixed server array with the backend's predicate.
import type { BalanceAlgorithm } from '../model/config-model.js';
import type { Balancer } from './balancers/balancer.js';
import type { RuntimeServer } from './runtime-server.js';
import { FirstBalancer } from './balancers/first.js';
import { LeastConnBalancer } from './balancers/leastconn.js';
import { RandomTwoBalancer } from './balancers/random-two.js';
import { RoundRobinBalancer } from './balancers/round-robin.js';
import { SourceHashBalancer } from './balancers/source-hash.js';
import { StaticRoundRobinBalancer } from './balancers/static-rr.js';

export type { Balancer } from './balancers/balancer.js';

export function buildBalancer(algorithm: BalanceAlgorithm, servers: readonly RuntimeServer[], random: () => number = Math.random): Balancer {
  switch (algorithm) {
    case 'roundrobin':
      return new RoundRobinBalancer(servers);
    case 'static-rr':
      return new StaticRoundRobinBalancer(servers);
    case 'leastconn':
      return new LeastConnBalancer(servers);
    case 'source':
      return new SourceHashBalancer(servers);
    case 'first':
      return new FirstBalancer(servers);
    case 'random':
      return new RandomTwoBalancer(servers, random);
  }
}
