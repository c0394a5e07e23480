// The ports the attribution methods declare besides their own module's.
import type { Clock } from '../../../clock.js';

export interface ClockPorts {
  readonly clock: Clock;
}
