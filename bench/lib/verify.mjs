// Cheap checks of an answer body, run on every response during load (autocannon verifyBody)
// and on the preflight call. A benchmark of failing requests would measure error paths.
export const VERIFIERS = {
  /** Any success envelope of the Bitrix protocol. */
  envelope: (body) => body.startsWith('{"result":') && body.includes('"time":{'),
  /** crm.tracking.trace.add: the new trace's integer ID. */
  traceId: (body) => /^\{"result":[1-9]\d*,"time":\{/.test(body),
  /** crm.tracking.trace.delete: `result: null` (sales-intelligence.md §2.7). */
  nullResult: (body) => body.startsWith('{"result":null,'),
  /** batch: every row succeeded. */
  batchAllOk: (body) => body.startsWith('{"result":{"result":') && body.includes('"result_error":[]'),
  /** crm.item.list: a page of items with a total. */
  itemPage: (body) => body.startsWith('{"result":{"items":[{') && body.includes('"total":'),
};

export function verifierFor(name) {
  const verify = VERIFIERS[name];
  if (!verify) throw new Error(`unknown verifier "${name}"`);
  return verify;
}
