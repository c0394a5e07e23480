// The analytics module: expenses in (§4.2), the source report out (§4.1). Every write that
// belongs together runs in one transaction; the SQL lives in expenseStore.ts and reportStore.ts.
import type { UserDirectory } from '../auth/contract.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/schema.js';
import type { AnalyticsPort, ExpenseFilter, ExpenseImport, ExpenseInput, ExpensePack } from './contract.js';
import { loadCurrencySettings, toAccountCurrency, type CurrencySettings } from './currency.js';
import { addDays, dayCount, dayStretches, localMidnight } from './days.js';
import { dailyRows, type DailyReport, type DailyReportRequest } from './dailyReport.js';
import { AnalyticsError } from './errors.js';
import { splitExpenses } from './expenseSplit.js';
import { anyExpenses, countPacks, deletePack, ensureSourceChild, insertDailyRows, insertKeywordRows, insertPack, listPacks, type KeywordDay } from './expenseStore.js';
import { dailyItemAggregates, expenseAggregates, itemAggregates, traceCounts } from './reportStore.js';
import { phpRound } from './rounding.js';
import { levelRow, type LevelReport, type LevelReportRequest, type LevelTotals } from './levelReport.js';
import { splitTraceLevels } from './levelSplitter.js';
import { childExpenses, childResults, insertTraceLevels, sourceChildren } from './levelStore.js';
import type { Executor } from '../db/schema.js';
import type { SavedTraceInfo } from '../tracking/contract.js';
import { addTotals, emptyTotals, rowFigures, STAGES, type ReportRow, type RowTotals, type SourcesReport, type SourcesReportRequest } from './sourceReport.js';

/** What the analytics module needs to know of a source (tracking's SourceRecord fits). */
export interface SourceInfo {
  readonly id: number;
  readonly code: string | null;
  readonly name: string;
  readonly active: boolean;
}

/** At most this many days per pack, as the reference's addExpenses (§4.2). */
export const MAX_PACK_DAYS = 365;

/** Ad levels (§4.3 Source\Level\Type). */
export const LEVELS = { campaign: 0, adgroup: 1, keyword: 100 } as const;

export class AnalyticsService implements AnalyticsPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sources: () => Promise<readonly SourceInfo[]>,
    private readonly users: UserDirectory,
  ) {}

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  currency(): Promise<CurrencySettings> {
    return loadCurrencySettings(this.db);
  }

  private async checkSource(sourceId: number): Promise<void> {
    if (!(await this.sources()).some((source) => source.id === sourceId)) throw new AnalyticsError('sourceNotFound', { id: sourceId, field: 'sourceId' });
  }

  private async checkCurrency(currency: string): Promise<void> {
    const settings = await this.currency();
    if (toAccountCurrency(0, currency, settings) === null) throw new AnalyticsError('currencyNoRate', { currency, account: settings.account, field: 'currency' });
  }

  async addExpenses(input: ExpenseInput): Promise<number | null> {
    await this.checkSource(input.sourceId);
    await this.checkCurrency(input.currency);
    const days = dayCount(input.from, input.to);
    // The reference's no-op cases (§4.2 step 1): nothing to spread, or no valid period.
    if (input.cents === 0 || days < 1 || days > MAX_PACK_DAYS) return null;
    const rows = splitExpenses(input.from, days, input.cents, input.actions);
    return this.db.transaction().execute(async (trx) => {
      const packId = await insertPack(trx, {
        sourceId: input.sourceId,
        typeId: 0,
        from: input.from,
        to: input.to,
        actions: input.actions,
        impressions: 0,
        cents: input.cents,
        currency: input.currency,
        comment: input.comment,
        createdAt: this.nowSeconds(),
      });
      await insertDailyRows(trx, packId, input.sourceId, input.currency, rows);
      return packId;
    });
  }

  async importExpenses(input: ExpenseImport): Promise<number> {
    await this.checkSource(input.sourceId);
    await this.checkCurrency(input.currency);
    const daysSorted = input.rows.map((r) => r.day).sort();
    const from = daysSorted[0];
    const to = daysSorted[daysSorted.length - 1];
    if (dayCount(from, to) > MAX_PACK_DAYS) throw new AnalyticsError('periodTooLong', { from, to, limit: MAX_PACK_DAYS, field: 'rows' });
    return this.db.transaction().execute(async (trx) => {
      const children = new Map<string, number>();
      const child = async (parentId: number, level: number, code: string, title: string) => {
        const key = `${parentId}\u0000${code}`;
        let id = children.get(key);
        if (id === undefined) {
          id = await ensureSourceChild(trx, input.sourceId, parentId, level, code, title);
          children.set(key, id);
        }
        return id;
      };
      const keywordDays: KeywordDay[] = [];
      for (const row of input.rows) {
        const campaign = await child(0, LEVELS.campaign, row.campaign, row.campaignTitle);
        const adGroup = await child(campaign, LEVELS.adgroup, row.adGroup, row.adGroupTitle);
        const keyword = await child(adGroup, LEVELS.keyword, row.keyword, row.keywordTitle);
        keywordDays.push({ day: row.day, childId: keyword, impressions: row.impressions, clicks: row.clicks, cents: row.cents });
      }
      const sum = (pick: (r: KeywordDay) => number) => keywordDays.reduce((total, r) => total + pick(r), 0);
      const packId = await insertPack(trx, {
        sourceId: input.sourceId,
        typeId: 1,
        from,
        to,
        actions: sum((r) => r.clicks),
        impressions: sum((r) => r.impressions),
        cents: sum((r) => r.cents),
        currency: input.currency,
        comment: input.comment,
        createdAt: this.nowSeconds(),
      });
      await insertKeywordRows(trx, packId, input.sourceId, input.currency, keywordDays);
      return packId;
    });
  }

  async listExpenses(filter: ExpenseFilter, offset: number, limit: number, countTotal: boolean): Promise<{ packs: ExpensePack[]; total: number | undefined }> {
    const packs = await listPacks(this.db, filter, offset, limit);
    return { packs, total: countTotal ? await countPacks(this.db, filter) : undefined };
  }

  async deleteExpensePack(id: number): Promise<void> {
    const deleted = await this.db.transaction().execute((trx) => deletePack(trx, id));
    if (!deleted) throw new AnalyticsError('packNotFound', { id });
  }

  /** Each key's totals of one period, amounts converted to the account currency. */
  private async periodTotals(
    from: string,
    to: string,
    request: SourcesReportRequest,
    settings: CurrencySettings,
    sources: readonly SourceInfo[],
    unconverted: Set<string>,
  ): Promise<Map<number, RowTotals>> {
    const start = localMidnight(from);
    const end = localMidnight(addDays(to, 1));
    const totals = new Map<number, RowTotals>();
    const of = (key: number) => {
      let entry = totals.get(key);
      if (!entry) {
        entry = emptyTotals();
        totals.set(key, entry);
      }
      return entry;
    };
    const convert = (cents: number, currency: string): number => {
      const converted = toAccountCurrency(cents, currency, settings);
      if (converted === null) {
        unconverted.add(currency);
        return 0;
      }
      return phpRound(converted);
    };
    for (const item of await itemAggregates(this.db, start, end, request.groupBy, settings)) {
      const entry = of(item.key);
      if (item.unconverted) unconverted.add(item.currency);
      entry.leads.quantity += item.leads;
      entry.leads.cents += item.leadCents;
      entry.deals.quantity += item.deals;
      entry.deals.cents += item.dealCents;
      entry['deals-success'].quantity += item.won;
      entry['deals-success'].cents += item.wonCents;
    }
    if (request.groupBy === 'source') {
      const manual = new Set<number>();
      for (const expense of await expenseAggregates(this.db, from, to)) {
        const entry = of(expense.sourceId);
        entry.actions.quantity += expense.actions;
        entry.actions.cents += convert(expense.cents, expense.currency);
        entry.impressions += expense.impressions;
        if (expense.manualCents > 0) manual.add(expense.sourceId);
      }
      // Sources without an ad cabinet (custom ones) count their traces as actions while they have
      // hand-entered expenses in the period (§4.1, Provider\Action).
      const custom = sources.filter((s) => s.code === null && manual.has(s.id)).map((s) => s.id);
      for (const [sourceId, count] of await traceCounts(this.db, custom, start, end)) of(sourceId).actions.quantity += count;
    }
    return totals;
  }

  async sourcesReport(request: SourcesReportRequest): Promise<SourcesReport> {
    const settings = await this.currency();
    const sources = await this.sources();
    const days = dayCount(request.from, request.to);
    const previousPeriod = { from: addDays(request.from, -days), to: addDays(request.from, -1) };
    const stages = request.groupBy === 'source' && (await anyExpenses(this.db)) ? STAGES : STAGES.slice(1);
    const unconverted = new Set<string>();
    const current = await this.periodTotals(request.from, request.to, request, settings, sources, unconverted);
    const previous = await this.periodTotals(previousPeriod.from, previousPeriod.to, request, settings, sources, unconverted);
    const totalsOf = (map: Map<number, RowTotals>, key: number) => map.get(key) ?? emptyTotals();
    const keep = (id: number) => request.sourceIds === undefined || request.sourceIds.includes(id);

    const rows: ReportRow[] = [];
    const advertising = { current: emptyTotals(), previous: emptyTotals() };
    const total = { current: emptyTotals(), previous: emptyTotals() };
    const add = (identity: { ID: number; NAME: string; CODE: string | null }, key: number, ad: boolean) => {
      const cur = totalsOf(current, key);
      const prev = totalsOf(previous, key);
      rows.push(rowFigures(identity, cur, prev, stages, ad || request.groupBy === 'responsible'));
      addTotals(total.current, cur);
      addTotals(total.previous, prev);
      if (ad) {
        addTotals(advertising.current, cur);
        addTotals(advertising.previous, prev);
      }
    };

    if (request.groupBy === 'source') {
      // Archived and deleted sources' rows are dropped (§4.1); organic traffic comes last.
      for (const source of [...sources].filter((s) => s.active).sort((a, b) => a.id - b.id)) {
        if (keep(source.id)) add({ ID: source.id, NAME: source.name, CODE: source.code }, source.id, true);
      }
      if (keep(0)) add({ ID: 0, NAME: 'Other traffic', CODE: 'organic' }, 0, false);
    } else {
      for (const userId of [...current.keys(), ...previous.keys()].filter((id, i, all) => all.indexOf(id) === i).sort((a, b) => a - b)) {
        const user = userId === 0 ? undefined : await this.users.findById(userId);
        const name = user ? [user.name, user.lastName].filter((part) => part !== '').join(' ') || user.login : '';
        add({ ID: userId, NAME: name, CODE: null }, userId, false);
      }
    }
    return {
      period: { from: request.from, to: request.to },
      previousPeriod,
      currency: settings.account,
      groupBy: request.groupBy,
      stages,
      rows,
      advertising: request.groupBy === 'source' ? rowFigures({ ID: -1, NAME: 'Advertising sources', CODE: null }, advertising.current, advertising.previous, stages, true) : null,
      total: rowFigures({ ID: -2, NAME: 'Total', CODE: null }, total.current, total.previous, stages, true),
      unconvertedCurrencies: [...unconverted].sort(),
    };
  }

  /** The source rows of the report by source: active sources by ID, then organic traffic (§4.1). */
  private sourceRows(sources: readonly SourceInfo[], sourceIds: readonly number[] | undefined): { ID: number; NAME: string; CODE: string | null }[] {
    const keep = (id: number) => sourceIds === undefined || sourceIds.includes(id);
    const rows = [...sources]
      .filter((s) => s.active && keep(s.id))
      .sort((a, b) => a.id - b.id)
      .map((s) => ({ ID: s.id, NAME: s.name, CODE: s.code }));
    if (keep(0)) rows.push({ ID: 0, NAME: 'Other traffic', CODE: 'organic' });
    return rows;
  }

  async dailyReport(request: DailyReportRequest): Promise<DailyReport> {
    const settings = await this.currency();
    const sources = await this.sources();
    const days = dayCount(request.from, request.to);
    const aggregates = await dailyItemAggregates(this.db, dayStretches(request.from, request.to), settings);
    const unconverted = new Set(aggregates.flatMap((a) => a.currencies));
    return {
      period: { from: request.from, to: request.to },
      currency: settings.account,
      DAYS: Array.from({ length: days }, (_, i) => addDays(request.from, i)),
      rows: dailyRows(this.sourceRows(sources, request.sourceIds), days, aggregates),
      unconvertedCurrencies: [...unconverted].sort(),
    };
  }

  /**
   * The tracking save hook: each saved trace of a google, fb or instagram source gets its ad
   * level rows in the saving transaction (TraceSplitter, §4.3). Traces without such values cost
   * a few regular expressions and no statement.
   */
  readonly onTracesSaved = async (trx: Executor, traces: readonly SavedTraceInfo[]): Promise<void> => {
    for (const trace of traces) {
      if (trace.sourceId === null) continue;
      const levels = splitTraceLevels(trace.sourceCode, trace.tags);
      if (levels.length > 0) await insertTraceLevels(trx, trace.id, trace.sourceId, levels);
    }
  };

  async levelsReport(request: LevelReportRequest): Promise<LevelReport> {
    await this.checkSource(request.sourceId);
    const settings = await this.currency();
    const children = await sourceChildren(this.db, request.sourceId);
    const parentOf = new Map(children.map((child) => [child.id, child.parentId]));
    const totals = new Map<number, LevelTotals>();
    const of = (id: number) => {
      let entry = totals.get(id);
      if (!entry) {
        entry = { impressions: 0, actions: 0, outcomeCents: 0, leads: 0, deals: 0, won: 0, incomeCents: 0 };
        totals.set(id, entry);
      }
      return entry;
    };
    for (const expense of await childExpenses(this.db, request.sourceId, request.from, request.to)) {
      const converted = toAccountCurrency(expense.cents, expense.currency, settings);
      // A keyword's spend counts for it and for its ad group and campaign.
      for (let id: number | undefined = expense.childId; id !== undefined && id !== 0; id = parentOf.get(id)) {
        const entry = of(id);
        entry.impressions += expense.impressions;
        entry.actions += expense.clicks;
        entry.outcomeCents += converted === null ? 0 : phpRound(converted);
      }
    }
    const start = localMidnight(request.from);
    const end = localMidnight(addDays(request.to, 1));
    for (const result of await childResults(this.db, request.sourceId, request.level, start, end, settings)) {
      const entry = of(result.childId);
      entry.leads += result.leads;
      entry.deals += result.deals;
      entry.won += result.won;
      entry.incomeCents += result.wonCents;
    }
    const rows = children
      .filter((child) => child.level === request.level && (request.parentId === undefined || child.parentId === request.parentId))
      .map((child) => levelRow(child, of(child.id)));
    return {
      sourceId: request.sourceId,
      level: request.level,
      parentId: request.parentId ?? null,
      period: { from: request.from, to: request.to },
      currency: settings.account,
      rows,
    };
  }
}
