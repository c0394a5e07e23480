// The dashboard's shell: sign-in, the navigation and hash routes (#/sources, #/traces, #/traces/ID,
// #/report, #/attribution, #/levels, #/expenses), the report pages' views in the hash's query
// (route.js).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useRoute } from './route.js';
import { currentUser, signOut, whenSessionEnds } from './api.js';
import { Failure, Loading } from './components.jsx';
import { Login } from './pages/Login.jsx';
import { Sources } from './pages/Sources.jsx';
import { Report } from './pages/Report.jsx';
import { TraceDetail, Traces } from './pages/Traces.jsx';
import { Attribution } from './pages/Attribution.jsx';
import { Levels } from './pages/Levels.jsx';
import { Expenses } from './pages/Expenses.jsx';

const PAGES = [
  { path: 'sources', title: 'Sources' },
  { path: 'traces', title: 'Traces' },
  { path: 'report', title: 'Sources report' },
  { path: 'attribution', title: 'Attribution' },
  { path: 'levels', title: 'Ad levels' },
  { path: 'expenses', title: 'Expenses' },
];

function Page({ route, query, user }) {
  const detail = /^traces\/(\d+)$/.exec(route);
  if (detail) return <TraceDetail id={Number(detail[1])} />;
  if (route === 'traces') return <Traces />;
  if (route === 'sources') return <Sources user={user} />;
  if (route === 'report') return <Report query={query} />;
  if (route === 'attribution') return <Attribution user={user} query={query} />;
  if (route === 'levels') return <Levels user={user} />;
  if (route === 'expenses') return <Expenses user={user} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <a href="#/sources">Go to Sources</a>
      </p>
    </section>
  );
}

function App() {
  const [user, setUser] = useState(undefined);
  const [error, setError] = useState(null);
  const { path, query } = useRoute();
  const section = path.split('/')[0];

  useEffect(() => {
    currentUser().then(setUser, setError);
    // A session that ends while the page is open (expiry, sign-out elsewhere) shows the sign-in form.
    whenSessionEnds(() => setUser(null));
  }, []);

  useEffect(() => {
    const page = PAGES.find((candidate) => candidate.path === section);
    document.title = user && page ? `${page.title} · Salestrace` : 'Salestrace';
  }, [section, user]);

  if (error && user === undefined) return <main class="login"><Failure error={error} /></main>;
  if (user === undefined) return <main class="login"><Loading /></main>;
  if (user === null) return <Login onSignedIn={setUser} />;

  async function leave() {
    await signOut().catch(() => undefined);
    setUser(null);
  }

  const name = [user.NAME, user.LAST_NAME].filter(Boolean).join(' ') || user.LOGIN;
  return (
    <>
      <header class="top">
        <a class="brand" href="#/sources">
          Salestrace
        </a>
        <nav aria-label="Pages">
          {PAGES.map((page) => (
            <a key={page.path} href={`#/${page.path}`} aria-current={section === page.path ? 'page' : undefined}>
              {page.title}
            </a>
          ))}
        </nav>
        <div class="who">
          <span>{name}</span>
          <button class="secondary" onClick={leave}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <Page route={path} query={query} user={user} />
      </main>
    </>
  );
}

const root = document.getElementById('root');
// The static "Loading…" placeholder goes; Preact renders into an empty element.
root.textContent = '';
render(<App />, root);
