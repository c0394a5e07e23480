// The source matcher of the moment (sources, their values and the tracking settings), built
// once and reused by every crm.tracking.trace.add until something it was built from changes.
// It is rebuilt as soon as the change token moves, i.e. after any committed write to
// `tracking_sources`, `tracking_source_values` or `settings`, from this process or another one
// such as `salestrace source update` (src/system/changeToken.ts explains why that is exact).
// Where the token is null (PostgreSQL) the matcher is loaded for every call, as before.
import type { Db } from '../db/schema.js';
import type { ChangeToken } from '../system/changeToken.js';
import type { SourceMatcher } from './sourceMatcher.js';
import { loadSourceMatcher } from './sources.js';

export class SourceMatcherCache {
  private token: string | null = null;
  private matcher: SourceMatcher | null = null;

  constructor(
    private readonly db: Db,
    private readonly changes: ChangeToken,
  ) {}

  async current(): Promise<SourceMatcher> {
    const token = await this.changes.read();
    if (token === null) return loadSourceMatcher(this.db);
    if (token === this.token && this.matcher) return this.matcher;
    const matcher = await loadSourceMatcher(this.db);
    // Kept under the token read before loading, so a change meanwhile forces the next rebuild.
    this.token = token;
    this.matcher = matcher;
    return matcher;
  }
}
