// What the events module promises the REST methods and the CLI: binding handlers, reading the
// offline queue, and raising events inside the caller's own transaction (events.md).
import type { Caller } from '../auth/caller.js';
import type { Executor } from '../db/schema.js';
import type { OfflineCondition, OfflineOrder, OfflineRow } from './store.js';

export type { OfflineColumn, OfflineCondition, OfflineOperator, OfflineOrder, OfflineRow } from './store.js';

export interface BindSpec {
  readonly appId: number;
  readonly eventName: string;
  /** '' for offline. */
  readonly handler: string;
  readonly userId: number;
  readonly connectorId: string;
  readonly options: Record<string, unknown>;
}

export interface UnbindSpec {
  readonly appId: number;
  readonly eventName: string;
  readonly handler: string;
  readonly userId?: number;
  readonly connectorId?: string;
}

export interface BoundHandler {
  readonly eventName: string;
  readonly handler: string;
  readonly userId: number;
  readonly connectorId: string;
}

export interface OfflineGetSpec {
  readonly appId: number;
  readonly connectorId: string;
  readonly conditions: readonly OfflineCondition[];
  readonly order: readonly OfflineOrder[];
  readonly limit: number;
  readonly clear: boolean;
  /** undefined: reserve a new batch. */
  readonly processId: string | undefined;
  readonly error: boolean;
}

export interface EventsPort {
  /** Throws EventsError('handlerAlreadyBound') for a duplicate. */
  bind(spec: BindSpec): Promise<void>;
  unbind(spec: UnbindSpec): Promise<number>;
  handlersOfApp(appId: number, userId: number | undefined): Promise<BoundHandler[]>;
  /** ONAPPTEST to the calling app's handlers (event.test). */
  raiseAppTest(caller: Caller, query: Record<string, unknown>): Promise<void>;
  offlineGet(spec: OfflineGetSpec): Promise<{ processId: string; rows: OfflineRow[] }>;
  offlineClear(appId: number, connectorId: string, processId: string, only: { ids?: readonly number[]; messageIds?: readonly string[] }): Promise<void>;
  offlineError(appId: number, connectorId: string, processId: string, messageIds: readonly string[]): Promise<void>;
  offlineList(
    appId: number,
    connectorId: string,
    conditions: readonly OfflineCondition[],
    order: readonly OfflineOrder[],
    offset: number,
    limit: number,
  ): Promise<{ rows: OfflineRow[]; total: number }>;
}

/** For other modules that raise events inside their own transaction. */
export interface EventRaiser {
  raise(trx: Executor, eventName: string, data: unknown, caller: Caller | null): Promise<void>;
}
