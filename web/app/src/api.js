// How the page talks to the server: /app/api/ for the session (cookie, same origin only), and
// /rest/ with a short-lived access token of the signed-in user, fetched again when it runs out.

export class ApiError extends Error {
  constructor(status, code, description) {
    super(description || code);
    this.status = status;
    this.code = code;
  }
}

let token = null;
let sessionEnded = () => undefined;

/** Called when the server says the session is gone (expired, or signed out elsewhere). */
export function whenSessionEnds(callback) {
  sessionEnded = callback;
}

async function session(path, body) {
  const response = await fetch(`/app/api/${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, answer.error || 'HTTP_' + response.status);
  return answer;
}

/** The signed-in user, or null when there is no session. */
export async function currentUser() {
  try {
    return (await freshToken(true)).user;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NO_SESSION') return null;
    throw error;
  }
}

async function freshToken(force) {
  const now = Date.now() / 1000;
  if (!force && token && token.expires - 30 > now) return token;
  let answer;
  try {
    answer = await session('token');
  } catch (error) {
    if (!force && error instanceof ApiError && error.code === 'NO_SESSION') sessionEnded();
    throw error;
  }
  token = { value: answer.access_token, expires: now + answer.expires_in, user: answer.user };
  return token;
}

export async function signIn(login, password) {
  const answer = await session('login', { login, password });
  token = null;
  return answer.user;
}

export async function signOut() {
  token = null;
  await session('logout');
}

/** Calls a REST method as the signed-in user; the answer's whole envelope ({result, total, next}). */
export async function call(method, params, retried) {
  const { value } = await freshToken(false);
  const response = await fetch(`/rest/${method}.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${value}` },
    body: JSON.stringify(params ?? {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (answer.error === 'expired_token' && !retried) {
    token = null;
    return call(method, params, true);
  }
  if (answer.error) throw new ApiError(response.status, answer.error, answer.error_description);
  return answer;
}

/** Every row of a legacy-paged list (50 a page). */
export async function callAll(method, params) {
  const rows = [];
  let start = 0;
  for (;;) {
    const answer = await call(method, { ...params, start });
    rows.push(...answer.result);
    if (answer.next === undefined) return rows;
    start = answer.next;
  }
}

/** Whether an error means "this user may not see this". */
export function isAccessDenied(error) {
  return error instanceof ApiError && (error.status === 403 || /ACCESS_DENIED/.test(error.code));
}
