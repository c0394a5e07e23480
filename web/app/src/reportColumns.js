// The source report's table columns, one list for the page's table and for its CSV, so the file
// holds exactly the figures the table shows (sales-intelligence.md §4.1).

const STAGE_NAMES = {
  actions: ['Clicks', 'click'],
  leads: ['Leads', 'lead'],
  deals: ['Deals', 'deal'],
  'deals-success': ['Won deals', 'won deal'],
};

/**
 * `kind` says how a value is formatted (money, count, percent); `change` gives the per cent
 * against the previous period; `grade` marks the ROI column, coloured by the row's ROI_GRADE.
 * The cost per unit divides the spend, so it is shown only when the report has the actions stage.
 */
export function reportColumns(report) {
  const spendStage = report.stages.includes('actions');
  const columns = [{ key: 'spend', label: 'Spend', kind: 'money', value: (row) => row.COSTS }];
  if (spendStage) columns.push({ key: 'views', label: 'Impressions', kind: 'count', value: (row) => row.VIEWS });
  for (const stage of report.stages) {
    const [name, unit] = STAGE_NAMES[stage] ?? [stage, stage];
    columns.push({ key: stage, label: name, kind: 'count', value: (row) => row.STAGES[stage].quantity, change: (row) => row.STAGES[stage].quantityChanging });
    if (spendStage) {
      columns.push({ key: `${stage}-cost`, label: `Cost per ${unit}`, kind: 'money', value: (row) => row.STAGES[stage].cost, change: (row) => row.STAGES[stage].costChanging });
    }
  }
  columns.push({ key: 'revenue', label: 'Revenue', kind: 'money', value: (row) => row.STAGES['deals-success'].sum });
  columns.push({ key: 'conversion', label: 'Conversion, %', kind: 'percent', value: (row) => row.CONVERSION });
  columns.push({ key: 'roi', label: 'ROI, %', kind: 'percent', value: (row) => row.ROI, grade: true });
  return columns;
}

/** Every row the table shows: the sources, then the advertising summary and the total. */
export const tableRows = (report) => [...report.rows, ...(report.advertising ? [report.advertising] : []), report.total];

/** The CSV's rows: a header, then each table row with its values and changes as plain numbers. */
export function reportCsvRows(report) {
  const columns = reportColumns(report);
  const header = ['Source ID', 'Source'];
  for (const column of columns) {
    header.push(column.kind === 'money' ? `${column.label}, ${report.currency}` : column.label);
    if (column.change) header.push(`${column.label}: change, %`);
  }
  const rows = tableRows(report).map((row) => {
    const cells = [row.ID >= 0 ? row.ID : '', row.NAME];
    for (const column of columns) {
      cells.push(column.value(row));
      if (column.change) cells.push(column.change(row));
    }
    return cells;
  });
  return [header, ...rows];
}
