// The whole database as Kysely sees it: the union of every module's tables.
import type { Kysely, Transaction } from 'kysely';
import type { AuthTables } from '../auth/tables.js';
import type { OAuthTables } from '../auth/oauth/tables.js';
import type { CrmTables } from '../crm/store/tables.js';
import type { TrackingTables } from '../tracking/tables.js';
import type { LimitTables } from '../limits/tables.js';
import type { EventTables } from '../events/tables.js';
import type { TelephonyTables } from '../telephony/tables.js';
import type { SitesTables } from '../sites/tables.js';
import type { AnalyticsTables } from '../analytics/tables.js';
import type { DashboardTables } from '../dashboard/tables.js';

export interface Database
  extends AuthTables,
    OAuthTables,
    CrmTables,
    TrackingTables,
    LimitTables,
    EventTables,
    TelephonyTables,
    SitesTables,
    AnalyticsTables,
    DashboardTables {}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: functions that write take this. */
export type Executor = Kysely<Database>;
