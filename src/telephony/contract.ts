// What the telephony module promises its REST methods: lines, calls and call activities
// (service.ts holds the rules, store.ts the SQL).
import type { CountryCode } from 'libphonenumber-js';
import type { Caller } from '../auth/caller.js';
import type { ActivityListQuery } from './activityFilter.js';
import type { ActivityPage } from './activityList.js';
import type { StatisticsRow, LineRow, CallRow } from './store.js';
import type { ActivityRecord, CallOwner, FinishInput, LineChanges, PoolEntry, RegisterInput, RegisterResult } from './service.js';

export interface TelephonyPort {
  country(): Promise<CountryCode>;
  setCountry(code: string): Promise<boolean>;
  pool(): Promise<PoolEntry[]>;
  addLine(owner: CallOwner, number: string, name: string, crmAutoCreate: string): Promise<number>;
  lines(owner: CallOwner): Promise<LineRow[]>;
  updateLine(owner: CallOwner, number: string, changes: LineChanges): Promise<number>;
  deleteLine(owner: CallOwner, number: string): Promise<void>;
  register(owner: CallOwner, createdBy: number, input: RegisterInput): Promise<RegisterResult>;
  call(callId: string): Promise<CallRow | undefined>;
  finish(owner: CallOwner, input: FinishInput): Promise<StatisticsRow>;
  activity(id: number): Promise<ActivityRecord | undefined>;
  listActivities(caller: Caller, query: ActivityListQuery, page: ActivityPage): Promise<{ records: ActivityRecord[]; total: number | undefined }>;
  deleteActivity(id: number): Promise<void>;
}

export type { ActivityCondition, ActivityListQuery, Comparable } from './activityFilter.js';
export type { ActivityRecord, CallOwner, FinishInput, LineChanges, PoolEntry, RegisterInput, RegisterResult } from './service.js';
