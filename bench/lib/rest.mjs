// A tiny REST client for setting up scenarios (creating items, trace pools). It posts JSON like
// b24jssdk and throws on any error envelope, so a broken setup stops the run.
export async function callRest(webhookUrl, method, params = {}) {
  const response = await fetch(webhookUrl + method, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${method}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!response.ok || body.error) throw new Error(`${method}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return body;
}

/** Runs batch rows (b24jssdk form: `{halt, cmd: [...]}`) and returns the results in order. */
export async function callBatch(webhookUrl, rows) {
  const body = await callRest(webhookUrl, 'batch', { halt: 1, cmd: rows });
  const { result, result_error: errors } = body.result;
  if (Array.isArray(errors) ? errors.length > 0 : Object.keys(errors).length > 0) {
    throw new Error(`batch: rows failed: ${JSON.stringify(errors).slice(0, 500)}`);
  }
  return rows.map((_, i) => result[i]);
}

/** Runs async jobs with at most `width` at a time. */
export async function inParallel(jobs, width) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}
