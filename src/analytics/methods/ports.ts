// What the analytics methods ask of the server: their own module's contract.
import type { AnalyticsPort } from '../contract.js';

export interface AnalyticsPorts {
  readonly analytics: AnalyticsPort;
}
