// Row types of the shared limit tables (migration 0800).
export interface RateBucketsTable {
  /** The client address the bucket counts (rest-protocol.md §4.1). */
  client: string;
  level: number;
  at_ms: number;
  /** 1 when the last request counted was refused. */
  refused: number;
}

export interface OperatingBucketsTable {
  /** `operatingKey()`: auth type, credential and method. */
  credential: string;
  /** Unix minute the bucket's calls started in. */
  minute: number;
  seconds: number;
  first_call_at: number;
}

export interface LimitTables {
  rate_buckets: RateBucketsTable;
  operating_buckets: OperatingBucketsTable;
}
