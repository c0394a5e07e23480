// SQLite query plans of the statements a piece of code runs: record them with a Kysely plugin,
// then ask the database to explain each one with its own parameters.
import { CompiledQuery, type Kysely, type KyselyPlugin, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';

/** Records every statement a call runs, as the database gets it. */
export class StatementRecorder implements KyselyPlugin {
  readonly nodes: RootOperationNode[] = [];
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    this.nodes.push(args.node);
    return args.node;
  }
  async transformResult(args: { result: QueryResult<UnknownRow> }): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** The `explain query plan` lines of one recorded statement, on SQLite. */
export async function planOf(db: Kysely<any>, node: RootOperationNode): Promise<{ sql: string; details: string[] }> {
  const compiled = db.getExecutor().compileQuery(node, { queryId: 'plan' } as never);
  const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
  return { sql: compiled.sql, details: plan.rows.map((row) => row.detail) };
}
