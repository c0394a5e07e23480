// The default stage lists of the types that have stages (deal STAGE_ID, lead STATUS_ID, quote
// STATUS_ID) with their semantics: P in progress, S success, F failure (crm-deal-get.md
// STAGE_SEMANTIC_ID). Salestrace has no crm.status.* editor, so the lists are Bitrix24's
// defaults for a new portal and only the general deal pipeline (CATEGORY_ID 0) exists.

export type StageSemantic = 'P' | 'S' | 'F';

export interface Stage {
  readonly id: string;
  readonly semantic: StageSemantic;
}

export interface StageList {
  /** Field holding the stage (STAGE_ID or STATUS_ID). */
  readonly field: string;
  /** Read-only field holding the semantic, if the type exposes one. */
  readonly semanticField?: string;
  readonly stages: readonly Stage[];
}

function stages(list: [string, StageSemantic][]): Stage[] {
  return list.map(([id, semantic]) => ({ id, semantic }));
}

export const DEAL_STAGES: StageList = {
  field: 'STAGE_ID',
  semanticField: 'STAGE_SEMANTIC_ID',
  stages: stages([
    ['NEW', 'P'],
    ['PREPARATION', 'P'],
    ['PREPAYMENT_INVOICE', 'P'],
    ['EXECUTING', 'P'],
    ['FINAL_INVOICE', 'P'],
    ['WON', 'S'],
    ['LOSE', 'F'],
    ['APOLOGY', 'F'],
  ]),
};

export const LEAD_STATUSES: StageList = {
  field: 'STATUS_ID',
  semanticField: 'STATUS_SEMANTIC_ID',
  stages: stages([
    ['NEW', 'P'],
    ['IN_PROCESS', 'P'],
    ['PROCESSED', 'P'],
    ['CONVERTED', 'S'],
    ['JUNK', 'F'],
  ]),
};

export const QUOTE_STATUSES: StageList = {
  field: 'STATUS_ID',
  stages: stages([
    ['DRAFT', 'P'],
    ['SENT', 'P'],
    ['RECEIVED', 'P'],
    ['APPROVED', 'S'],
    ['DECLAINED', 'F'],
  ]),
};

export function findStage(list: StageList, id: string): Stage | undefined {
  return list.stages.find((stage) => stage.id === id);
}
