// Sources: the built-in and custom sources with the values that recognise them. Administrators
// add, edit and archive them (salestrace.source.*); everyone else reads.
import { useEffect, useState } from 'preact/hooks';
import { call, callAll } from '../api.js';
import { Chips, Failure, Loading } from '../components.jsx';
import { formatNumber } from '../format.js';

const VALUE_FIELDS = [
  { key: 'UTM_SOURCE', label: 'UTM source values', hint: 'utm_source values, one per line' },
  { key: 'REF_DOMAIN', label: 'Referrer domains', hint: 'for example google.com, one per line' },
  { key: 'PHONE', label: 'Phones', hint: 'one per line' },
  { key: 'EMAIL', label: 'E-mails', hint: 'one per line' },
];

const lines = (text) =>
  text
    .split(/[\n,]/)
    .map((value) => value.trim())
    .filter((value) => value !== '');

function SourceForm({ source, onSaved, onCancel }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const editing = source !== null;

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fields = { NAME: String(form.get('NAME')).trim() };
    for (const { key } of VALUE_FIELDS) fields[key] = lines(String(form.get(key)));
    setBusy(true);
    setError(null);
    try {
      if (editing) await call('salestrace.source.update', { id: source.ID, fields });
      else await call('salestrace.source.add', { fields });
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" onSubmit={submit} aria-label={editing ? `Edit ${source.NAME}` : 'Add a source'}>
      <h2>{editing ? `Edit “${source.NAME}”` : 'Add a source'}</h2>
      <label>
        Name
        <input name="NAME" required defaultValue={editing ? source.NAME : ''} />
      </label>
      <div class="grid">
        {VALUE_FIELDS.map(({ key, label, hint }) => (
          <label key={key}>
            {label}
            <textarea name={key} rows="3" placeholder={hint} defaultValue={editing ? source[key].join('\n') : ''} />
          </label>
        ))}
      </div>
      {error ? <Failure error={error} /> : null}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {editing ? 'Save' : 'Add source'}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function Sources({ user }) {
  const [sources, setSources] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(undefined);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    setError(null);
    callAll('salestrace.source.list').then(setSources, setError);
  }, [version]);

  const reload = () => {
    setEditing(undefined);
    setVersion((v) => v + 1);
  };

  async function setActive(source, active) {
    try {
      await call('salestrace.source.update', { id: source.ID, fields: { ACTIVE: active ? 'Y' : 'N' } });
      reload();
    } catch (failure) {
      setError(failure);
    }
  }

  if (error && !sources) return <Failure error={error} />;
  if (!sources) return <Loading />;
  const admin = user.IS_ADMIN;
  const custom = sources.filter((source) => source.BUILT_IN === 'N').length;

  return (
    <section>
      <div class="heading">
        <h1>Sources</h1>
        {admin && editing === undefined ? <button onClick={() => setEditing(null)}>Add source</button> : null}
      </div>
      <p class="muted">
        A trace is attributed to the first source whose UTM source value or referrer domain it matches; calls and e-mails to a
        source's phones and addresses count for it too. {formatNumber(sources.length)} sources, {formatNumber(custom)} of them custom.
        {admin ? '' : ' Only administrators can change sources.'}
      </p>
      {error ? <Failure error={error} /> : null}
      {editing !== undefined ? <SourceForm source={editing} onSaved={reload} onCancel={() => setEditing(undefined)} /> : null}
      {custom === 0 && admin ? (
        <p class="notice">
          No custom sources yet. Add one for a newsletter, a partner site or a phone number, then tag its links with its
          <code>utm_source</code> value.
        </p>
      ) : null}
      <div class="table-wrap">
        <table class="sources">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              {VALUE_FIELDS.map(({ key, label }) => (
                <th scope="col" key={key}>
                  {label}
                </th>
              ))}
              {admin ? <th scope="col"><span class="visually-hidden">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {sources.map((source) => (
              <tr key={source.ID} data-source-id={source.ID} class={source.ACTIVE === 'Y' ? '' : 'archived'}>
                <th scope="row">
                  {source.NAME}
                  <small>
                    {source.CODE ? `${source.CODE} · ` : ''}ID {source.ID}
                  </small>
                </th>
                <td>
                  {source.ACTIVE === 'Y' ? 'Active' : 'Archived'}
                  {source.BUILT_IN === 'Y' ? <small>Built-in</small> : <small>Custom</small>}
                </td>
                {VALUE_FIELDS.map(({ key }) => (
                  <td key={key}>
                    <Chips values={key === 'REF_DOMAIN' ? [...source.REF_DOMAIN, ...source.SOCIAL_REF_DOMAIN] : source[key]} />
                  </td>
                ))}
                {admin ? (
                  <td class="row-actions">
                    {source.ID === 0 ? null : (
                      <>
                        <button class="link" onClick={() => setEditing(source)} aria-label={`Edit ${source.NAME}`}>
                          Edit
                        </button>{' '}
                        <button
                          class="link"
                          onClick={() => setActive(source, source.ACTIVE !== 'Y')}
                          aria-label={`${source.ACTIVE === 'Y' ? 'Archive' : 'Restore'} ${source.NAME}`}
                        >
                          {source.ACTIVE === 'Y' ? 'Archive' : 'Restore'}
                        </button>
                      </>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
