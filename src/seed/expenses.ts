// Expenses for `salestrace seed`: every active source gets a hand-entered pack (TYPE_ID 0) per
// 10 days of the seed's window, split into daily rows as salestrace.expense.add splits them
// (analytics/expenseSplit.ts), so the source report has costs, ROI and previous periods to show.
import { localDay } from '../analytics/days.js';
import { splitExpenses } from '../analytics/expenseSplit.js';
import type { SeededRandom } from './random.js';
import type { Connection } from './sqlite.js';
import type { TimeWindow } from './world.js';

const PACK_DAYS = 10;

/** Writes the packs and daily rows; returns how many packs. */
export function seedExpenses(connection: Connection, random: SeededRandom, window: TimeWindow, createdAt: number): number {
  const sources = connection.prepare('select id from tracking_sources where active = 1 order by id').all() as { id: number }[];
  const insertPack = connection.prepare(
    'insert into analytics_expense_packs (source_id, type_id, date_from, date_to, actions, impressions, expenses_cents, currency_id, comment, created_at) values (?, 0, ?, ?, ?, 0, ?, ?, ?, ?)',
  );
  const insertDay = connection.prepare(
    'insert into analytics_expenses (pack_id, source_id, type_id, date_stat, actions, impressions, expenses_cents, currency_id, source_child_id) values (?, ?, 0, ?, ?, 0, ?, ?, 0)',
  );
  let packs = 0;
  for (let at = 0; at + PACK_DAYS * 86400 <= window.seconds; at += PACK_DAYS * 86400) {
    const from = localDay(window.start + at);
    const days = splitFrom(from);
    for (const { id } of sources) {
      const cents = random.int(50, 5000) * 100 + random.int(0, 99);
      const actions = random.int(10, 2000);
      const pack = Number(insertPack.run(id, from, days[days.length - 1], actions, cents, 'USD', 'seed', createdAt).lastInsertRowid);
      for (const day of splitExpenses(from, PACK_DAYS, cents, actions)) insertDay.run(pack, id, day.day, day.actions, day.cents, 'USD');
      packs++;
    }
  }
  return packs;
}

function splitFrom(from: string): string[] {
  return splitExpenses(from, PACK_DAYS, 0, 0).map((day) => day.day);
}
