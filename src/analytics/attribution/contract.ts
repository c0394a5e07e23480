// What the attribution module promises its REST methods and the CLI: the attribution report
// over won deals' journeys, one deal's journey, and the attribution window's settings.
import type { WindowSettings } from './windowSettings.js';
import type { AttributionModel } from './models.js';
import type { Period } from './store.js';

export type { WindowSettings } from './windowSettings.js';
export type { Period } from './store.js';

export interface AttributionOptions {
  readonly period: Period;
  /** Seconds before a deal was won in which its visits count. */
  readonly lookbackSeconds: number;
  readonly halfLifeSeconds: number;
}

/** Credit in deals (four decimals) and in money (the account currency, two decimals). */
export interface CreditTotal {
  readonly deals: number;
  readonly sum: number;
}

export interface SourceCredits {
  /** 0 for organic traffic ("Other traffic"). */
  readonly sourceId: number;
  /** Null for a source that has been deleted since. */
  readonly name: string | null;
  readonly credits: Record<AttributionModel, CreditTotal>;
}

export interface AttributionReport {
  readonly currency: string;
  /** Won deals of the period. */
  readonly deals: number;
  /** Their amount in the account currency. */
  readonly sum: number;
  /** Deals whose currency has no rate: counted, but with no amount. */
  readonly unconverted: number;
  readonly rows: SourceCredits[];
  readonly total: Record<AttributionModel, CreditTotal>;
}

export interface JourneyTouch {
  readonly traceId: number;
  readonly at: number;
  readonly sourceId: number;
  readonly sourceName: string | null;
  /** Entity type IDs of the items whose bindings bring it: the deal (2), its contact (3), its company (4). */
  readonly via: number[];
  /** Within the lookback before the deal was won (before now for a deal not won). */
  readonly counted: boolean;
  readonly tags: Record<string, string>;
  readonly pages: unknown[];
  readonly channels: { code: string; value: string | null }[];
}

export interface Journey {
  readonly deal: {
    readonly id: number;
    readonly won: boolean;
    /** Unix seconds; null for a deal not won. */
    readonly wonAt: number | null;
    readonly opportunity: number;
    readonly currencyId: string | null;
    readonly contactId: number | null;
    readonly companyId: number | null;
  };
  readonly touches: JourneyTouch[];
  /** A won deal's credits per model and source; null for a deal not won. */
  readonly credits: Record<AttributionModel, { sourceId: number; deals: number; sum: number }[]> | null;
  readonly currency: string;
}

export interface AttributionPort {
  report(options: AttributionOptions): Promise<AttributionReport>;
  /** Undefined when the deal does not exist. */
  journey(dealId: number, options: Omit<AttributionOptions, 'period'>): Promise<Journey | undefined>;
  windowSettings(): Promise<WindowSettings>;
  saveWindowSettings(changes: Partial<WindowSettings>): Promise<WindowSettings>;
}

export interface AttributionPorts {
  readonly attribution: AttributionPort;
}
