// Small shared pieces of the pages.
import { isAccessDenied } from './api.js';

export function NoAccess({ detail }) {
  return (
    <section class="notice" role="status">
      <h2>You do not have access to this page</h2>
      <p>Your role does not let you read what this page shows. Ask an administrator to grant your role read access in CRM (<code>salestrace role grant</code>).</p>
      {detail ? <p class="muted">The server said: {detail}</p> : null}
    </section>
  );
}

/** A failed call: the access page for a refusal, otherwise the server's own words. */
export function Failure({ error }) {
  if (isAccessDenied(error)) return <NoAccess detail={error.message} />;
  return (
    <p class="error" role="alert">
      {error.message} {error.code && error.code !== error.message ? <code>{error.code}</code> : null}
    </p>
  );
}

export function Loading() {
  return <p class="loading" aria-live="polite">Loading…</p>;
}

/** A list of strings as small chips; an em dash when there are none. */
export function Chips({ values }) {
  if (!values || values.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="chips">
      {values.map((value) => (
        <li key={value}>{value}</li>
      ))}
    </ul>
  );
}
