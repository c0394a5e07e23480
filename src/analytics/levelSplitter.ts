// TraceSplitter (sales-intelligence.md §4.3): the campaign, ad group and keyword a trace of a
// google, fb or instagram source names in its UTM values, as numeric codes. Pure and cheap: a
// trace of any other source, or without such values, gives nothing.
export const LEVEL = { campaign: 0, adgroup: 1, keyword: 100 } as const;
export type Level = (typeof LEVEL)[keyof typeof LEVEL];
export const LEVEL_ORDER: readonly Level[] = [LEVEL.campaign, LEVEL.adgroup, LEVEL.keyword];

/** Source\Factory knows these codes only (vk, vkads and yandex map to no splitter). */
export const SPLIT_SOURCE_CODES: ReadonlySet<string> = new Set(['google', 'fb', 'instagram']);

const MARKERS = /(tar|adid|ad_id|kwid|kwd|aid|gid|cid|creative|adgroupid|campaignid|creative_id|gbid|campaign_id)[|_-]?([a-z\-\d]{6,})/g;

const MARKER_LEVEL: Record<string, Level> = {
  tar: LEVEL.keyword,
  adid: LEVEL.keyword,
  ad_id: LEVEL.keyword,
  kwid: LEVEL.keyword,
  kwd: LEVEL.keyword,
  aid: LEVEL.keyword,
  creative: LEVEL.keyword,
  creative_id: LEVEL.keyword,
  gid: LEVEL.adgroup,
  adgroupid: LEVEL.adgroup,
  gbid: LEVEL.adgroup,
  cid: LEVEL.campaign,
  campaignid: LEVEL.campaign,
  campaign_id: LEVEL.campaign,
};

export interface TraceLevel {
  readonly level: Level;
  readonly code: string;
}

export function splitTraceLevels(sourceCode: string | null, tags: Readonly<Record<string, string>>): TraceLevel[] {
  if (sourceCode === null || !SPLIT_SOURCE_CODES.has(sourceCode)) return [];
  const found = new Map<Level, string>();
  const campaign = (tags.UTM_CAMPAIGN ?? '').replace(/\D/g, '');
  if (campaign.length >= 6) found.set(LEVEL.campaign, campaign);
  // Every value in turn; a later match of a level replaces an earlier one.
  for (const value of Object.values(tags)) {
    for (const match of value.matchAll(MARKERS)) {
      const digits = match[2].replace(/\D/g, '');
      if (digits !== '') found.set(MARKER_LEVEL[match[1]], digits);
    }
  }
  return LEVEL_ORDER.filter((level) => found.has(level)).map((level) => ({ level, code: found.get(level)! }));
}
