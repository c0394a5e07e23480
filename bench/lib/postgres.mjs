// The PostgreSQL server the PostgreSQL scenarios (issue 16) run on: BENCH_DATABASE_URL, or the
// local one on 127.0.0.1:5432. Each run makes fresh databases named after its process ID and
// drops, first, the ones that earlier runs whose process is gone left behind.
import pg from 'pg';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'salestrace_bench_';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

export async function openPostgresBench(url = DEFAULT_URL) {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    return { reachable: false, url, reason: error.code ?? error.message };
  }
  const { rows } = await admin.query('select datname from pg_database where datname like $1', [`${PREFIX}%`]);
  for (const { datname } of rows) {
    const pid = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (Number.isSafeInteger(pid) && !alive(pid)) await admin.query(`drop database if exists "${datname}" with (force)`);
  }
  return {
    reachable: true,
    url,
    /** A fresh, empty database for one server of this run; its URL. */
    async database(name) {
      const datname = `${PREFIX}${process.pid}_${name}`;
      await admin.query(`drop database if exists "${datname}" with (force)`);
      await admin.query(`create database "${datname}"`);
      const target = new URL(url);
      target.pathname = `/${datname}`;
      return target.toString();
    },
  };
}
