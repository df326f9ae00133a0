// The page: asks who is there (when the dashboard has tokens), then the Dashboard: one incidents state fed by the live
// stream, one address per screen, the terminal UI's keys, and banners while the server or a daemon is away.
//
//   /api/session ──▶ login? ──▶ Dashboard ──openLiveStream──▶ reduceIncidents (view/) ──▶ the screen of the address
//                                         └─ keydown ──▶ pageCommand (view/keymap.ts) ──▶ navigation or the screen's handler

import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState, type FormEvent } from 'react';
import { INITIAL_INCIDENTS_STATE, isFleet, reduceIncidents } from '../view/incidents-state.js';
import { applyFilterCommand, filterToQueryParams } from '../view/filters.js';
import { isOpenStatus } from '../api/vocabulary.js';
import { DashboardContext, type CommandHandlers, type DashboardContextValue } from './dashboard-context.js';
import { readAddressFilter } from './filter-state.js';
import { describeFailure, gateway, type SessionInfo } from './gateway-client.js';
import { pageCommand } from './keys.js';
import { openLiveStream, type LinkState } from './live-stream.js';
import { keymapScreen, parseRoute, withQuery, type Route } from './routes.js';
import { ComponentsScreen } from './screens/components.js';
import { HelpScreen } from './screens/help.js';
import { IncidentScreen } from './screens/incident.js';
import { IncidentsScreen } from './screens/incidents.js';
import { LoginScreen } from './screens/login.js';
import { OverviewScreen } from './screens/overview.js';
import { NotificationsScreen } from './screens/notifications.js';
import { RulesScreen } from './screens/rules.js';
import { SilencesScreen } from './screens/silences.js';
import { TraceScreen } from './screens/trace.js';
import { ConnectionBanners } from './widgets/banners.js';

const ACTOR_KEY = 'firewatch.actor';
const CLOCK_MS = 10_000;
/** User Timing entries kept for the benchmark and DevTools; older ones are dropped so a wall screen does not grow. */
const MAX_MEASURES = 500;

export function App() {
  const [session, setSession] = useState<SessionInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () =>
      gateway.session().then(
        (info) => {
          setSession(info);
          setError(undefined);
        },
        (failure: unknown) => {
          setError(describeFailure(failure));
          timer = setTimeout(check, 2_000);
        },
      );
    void check();
    return () => clearTimeout(timer);
  }, []);
  if (session === undefined) {
    return (
      <main id="main" className="boot">
        {error === undefined ? <p>Loading firewatch…</p> : <p role="alert">{error}; trying again…</p>}
      </main>
    );
  }
  if (session.login_required && !session.authenticated) return <LoginScreen onLoggedIn={setSession} />;
  return <Dashboard session={session} onLoggedOut={() => setSession({ ...session, authenticated: false, name: null, role: null })} />;
}

function storedActor(): string {
  try {
    return window.localStorage.getItem(ACTOR_KEY) ?? '';
  } catch {
    return '';
  }
}

const NAV: ReadonlyArray<{ href: string; label: string; key: string; screens: ReadonlyArray<Route['screen']> }> = [
  { href: '/', label: 'Overview', key: '1', screens: ['overview'] },
  { href: '/incidents', label: 'Incidents', key: '2', screens: ['incidents', 'incident', 'trace'] },
  { href: '/components', label: 'Components', key: '3', screens: ['components'] },
  { href: '/rules', label: 'Rules', key: '4', screens: ['rules'] },
  { href: '/silences', label: 'Silences', key: '5', screens: ['silences'] },
  { href: '/notifications', label: 'Notifications', key: '6', screens: ['notifications'] },
  { href: '/help', label: 'Help', key: '?', screens: ['help'] },
];

function Dashboard({ session, onLoggedOut }: { session: SessionInfo; onLoggedOut(): void }) {
  const [state, dispatch] = useReducer(reduceIncidents, INITIAL_INCIDENTS_STATE);
  const [link, setLink] = useState<LinkState>('connecting');
  const [location, setLocation] = useState(() => ({ pathname: window.location.pathname, search: window.location.search }));
  const [now, setNow] = useState(() => Date.now());
  const [actor, setActorState] = useState(() => (session.login_required ? (session.name ?? '') : storedActor()));
  const [commandOpen, setCommandOpen] = useState(false);
  const commands = useRef<CommandHandlers>({});
  const addresses = useRef<string>('');
  const route = useMemo(() => parseRoute(location.pathname, location.search), [location]);
  const readOnly = session.role === 'viewer';

  const navigate = useCallback((href: string, options: { replace?: boolean } = {}) => {
    if (options.replace) window.history.replaceState(null, '', href);
    else {
      window.history.pushState(null, '', href);
      window.scrollTo(0, 0);
    }
    setLocation({ pathname: window.location.pathname, search: window.location.search });
  }, []);

  useEffect(() => {
    const onPop = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', onPop);
    // The clock also drives the screens that re-read on it (overview, components, silences, notifications): a tab
    // nobody sees does not tick, so it does not poll every daemon behind the gateway; it catches up when shown.
    const clock = setInterval(() => {
      if (!document.hidden) setNow(Date.now());
    }, CLOCK_MS);
    const onVisible = () => {
      if (!document.hidden) setNow(Date.now());
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('popstate', onPop);
      document.removeEventListener('visibilitychange', onVisible);
      clearInterval(clock);
    };
  }, []);

  // The live stream: batches of changes, each timed from arrival to the DOM it produced ('firewatch:update').
  const pendingMark = useRef(false);
  useEffect(
    () =>
      openLiveStream({
        onMembers(list) {
          const key = list.join('\n');
          if (key === addresses.current) return; // the same daemons after a reconnect: keep what we know
          addresses.current = key;
          dispatch({ type: 'members', addresses: list });
        },
        onChanges(changes) {
          performance.mark('firewatch:changes');
          pendingMark.current = true;
          dispatch({ type: 'changes', changes });
        },
        onLink: setLink,
        onUnauthorized: onLoggedOut,
      }),
    [],
  );
  useLayoutEffect(() => {
    if (!pendingMark.current) return;
    pendingMark.current = false;
    performance.measure('firewatch:update', 'firewatch:changes');
    performance.clearMarks('firewatch:changes');
    if (performance.getEntriesByName('firewatch:update').length > MAX_MEASURES) performance.clearMeasures('firewatch:update');
  }, [state.version]);

  const active = useMemo(() => {
    let open = 0;
    for (const entry of state.entries.values()) if (isOpenStatus(entry.incident.status)) open++;
    return open;
  }, [state.entries]);
  useEffect(() => {
    document.title = `${active} active · firewatch`;
  }, [active]);

  // Focus follows navigation (a screen reader hears the new screen), unless a form on the new screen took it.
  useEffect(() => {
    const focused = document.activeElement;
    if (focused === null || focused === document.body || focused.tagName === 'A') document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.screen, route.screen === 'incident' ? route.id : route.screen === 'trace' ? route.traceId : '']);

  const setActor = useCallback((name: string) => {
    setActorState(name);
    try {
      window.localStorage.setItem(ACTOR_KEY, name);
    } catch {
      // private mode: the name lasts as long as the page
    }
  }, []);

  const context: DashboardContextValue = {
    state,
    dispatch,
    now,
    navigate,
    search: location.search,
    actor,
    setActor,
    actorFromToken: session.login_required,
    readOnly,
    commands,
  };

  // The terminal UI's keys (view/keymap.ts), for the screen shown.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const command = pageCommand(event, keymapScreen(route), readOnly);
      if (command === undefined) return;
      const handled = ((): boolean => {
        switch (command) {
          case 'overview':
            navigate('/');
            return true;
          case 'incidents':
            navigate('/incidents');
            return true;
          case 'components':
            navigate('/components');
            return true;
          case 'rules':
            navigate('/rules');
            return true;
          case 'silences':
            navigate('/silences');
            return true;
          case 'notifications':
            navigate('/notifications');
            return true;
          case 'help':
            navigate('/help');
            return true;
          case 'command':
            setCommandOpen(true);
            return true;
          case 'back':
            if (commandOpen) setCommandOpen(false);
            else if (route.screen !== 'overview') window.history.back();
            return true;
          default: {
            const handler = commands.current[command];
            if (handler === undefined) return false;
            handler();
            return true;
          }
        }
      })();
      if (handled) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [route, readOnly, commandOpen, navigate]);

  const logout = async () => {
    await gateway.logout().catch(() => undefined);
    onLoggedOut();
  };

  return (
    <DashboardContext.Provider value={context}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <p className="brand">
          <img src="/assets/favicon.svg" alt="" width="20" height="20" /> firewatch
        </p>
        <nav aria-label="Screens">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a
                  href={item.href}
                  aria-current={item.screens.includes(route.screen) ? 'page' : undefined}
                  aria-keyshortcuts={item.key}
                  onClick={(event) => {
                    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                    event.preventDefault();
                    navigate(item.href);
                  }}
                >
                  {item.label} <kbd>{item.key}</kbd>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p className="who">
          <span className={`live live-${link}`}>{link === 'open' ? 'live' : link === 'lost' ? 'offline' : 'connecting'}</span>
          {session.login_required ? (
            <>
              {' '}
              {session.name} ({session.role}){' '}
              <button type="button" className="link-button" onClick={() => void logout()}>
                log out
              </button>
            </>
          ) : actor !== '' ? (
            <>
              {' '}
              acting as {actor}{' '}
              <button type="button" className="link-button" onClick={() => setActor('')}>
                change
              </button>
            </>
          ) : null}
        </p>
      </header>
      <ConnectionBanners link={link} connections={state.connections} fleet={isFleet(state)} />
      {commandOpen ? <CommandBar route={route} search={location.search} navigate={navigate} onClose={() => setCommandOpen(false)} /> : null}
      <main id="main" tabIndex={-1}>
        <Screen route={route} readOnly={readOnly} />
      </main>
    </DashboardContext.Provider>
  );
}

function Screen({ route, readOnly }: { route: Route; readOnly: boolean }) {
  switch (route.screen) {
    case 'overview':
      return <OverviewScreen />;
    case 'incidents':
      return <IncidentsScreen />;
    case 'incident':
      return <IncidentScreen key={route.id} id={route.id} tab={route.tab} />;
    case 'trace':
      return <TraceScreen key={route.traceId} traceId={route.traceId} incidentId={route.incidentId} />;
    case 'components':
      return <ComponentsScreen />;
    case 'rules':
      return <RulesScreen />;
    case 'silences':
      return <SilencesScreen />;
    case 'notifications':
      return <NotificationsScreen />;
    case 'help':
      return <HelpScreen readOnly={readOnly} />;
    case 'not_found':
      return (
        <div>
          <h1>Not found</h1>
          <p>There is no such screen. Press 1 for the overview or ? for help.</p>
        </div>
      );
  }
}

/** `:severity critical`, `:status active`, `:since 1h`, `:clear`: the terminal UI's filter commands, into the address. */
function CommandBar(props: { route: Route; search: string; navigate(href: string): void; onClose(): void }) {
  const [text, setText] = useState(':');
  const [error, setError] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const now = Date.now();
    const result = applyFilterCommand(readAddressFilter(props.route.screen === 'overview' || props.route.screen === 'incidents' ? props.search : '', now).filter, text, now);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    props.navigate(withQuery(props.route.screen === 'overview' ? '/' : '/incidents', filterToQueryParams(result.filter)));
    props.onClose();
  };
  return (
    <form
      className="command-bar"
      onSubmit={submit}
      aria-label="Filter command"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          props.onClose();
        }
      }}
    >
      <label>
        <span className="visually-hidden">Command (:severity critical, :status active, :component api, :since 1h, :type error_burst, :clear)</span>
        <input value={text} autoFocus spellCheck={false} autoComplete="off" onChange={(event) => setText(event.target.value)} />
      </label>
      {error !== undefined ? <span className="error-note" role="alert">{error}</span> : <span className="hint">:severity critical · :status active · :component api · :since 1h · :type error_burst · :clear</span>}
    </form>
  );
}
