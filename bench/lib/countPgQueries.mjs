// Preloaded into a server under measurement (`node --import bench/lib/countPgQueries.mjs …`):
// counts every query node-postgres sends (each is one round trip to PostgreSQL), by its SQL
// text, in this process. On SIGUSR2 it writes the counts so far to $PG_QUERY_COUNT_FILE.
// Used by bench/experiments/pg-cost.mjs; nothing in the server knows of it.
import fs from 'node:fs';
import pg from 'pg';

const file = process.env.PG_QUERY_COUNT_FILE;
const counts = new Map();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config?.text ?? config?.name ?? String(config));
  const key = text.replace(/\s+/g, ' ').trim();
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return query.call(this, config, ...rest);
};
if (file) {
  process.on('SIGUSR2', () => {
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(counts)));
    fs.renameSync(`${file}.tmp`, file);
  });
}
