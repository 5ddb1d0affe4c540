// The rise/fall counter of one checked server, as HAProxy keeps it (server.c, check.c):
// a single `health` value from 0 to rise+fall-1. The server is UP while health >= rise.
//  * start: health = rise — UP, but the first failed check takes it DOWN (HAProxy's default
//    `init-state up`: a server is trusted until a check says otherwise, yet a dead server
//    at start-up is caught by one check instead of `fall` of them);
//  * a passed check adds one; reaching rise jumps to rise+fall-1 (fully UP: `fall` failures
//    are now needed to go DOWN);
//  * a failed check removes one; dropping below rise jumps to 0 (fully DOWN: `rise` passes
//    are now needed to come back).
// Pure functions only: the monitor owns timers and sockets.

export interface HealthCounter {
  readonly rise: number;
  readonly fall: number;
  readonly health: number;
}

export type HealthState = 'UP' | 'DOWN';

export function initialHealth(rise: number, fall: number): HealthCounter {
  return { rise, fall, health: rise };
}

export function stateOf(counter: HealthCounter): HealthState {
  return counter.health >= counter.rise ? 'UP' : 'DOWN';
}

/** The counter after one check result. */
export function applyCheck(counter: HealthCounter, passed: boolean): HealthCounter {
  const { rise, fall } = counter;
  const full = rise + fall - 1;
  let health = counter.health;
  if (passed) {
    if (health < full) {
      health += 1;
      if (health >= rise) health = full;
    }
  } else if (health > 0) {
    health -= 1;
    if (health < rise) health = 0;
  }
  return { rise, fall, health };
}

export interface CheckIntervals {
  interMs: number;
  fastinterMs: number;
  downinterMs: number;
}

/**
 * Delay before the next check (HAProxy srv_getinter): `inter` when fully UP, `downinter`
 * when fully DOWN, `fastinter` while the server is between the two (counting towards a
 * transition), so a flapping server is confirmed quickly and a stable one costs little.
 * A zero or missing fastinter/downinter falls back to inter, as in HAProxy.
 */
export function nextIntervalMs(counter: HealthCounter, intervals: CheckIntervals): number {
  const { interMs, fastinterMs, downinterMs } = intervals;
  if (counter.health === counter.rise + counter.fall - 1) return interMs;
  if (counter.health === 0) return downinterMs > 0 ? downinterMs : interMs;
  return fastinterMs > 0 ? fastinterMs : interMs;
}
