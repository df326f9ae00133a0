// What every screen of the page shares: the incidents state (view/incidents-state.ts, fed by the live stream), the
// clock, navigation, who acts and whether they may, and the registry through which a screen answers the key map's
// commands. One context, provided by the Dashboard (app.tsx).

import { createContext, useContext, useEffect, useRef, type Dispatch, type MouseEvent, type ReactNode } from 'react';
import type { Command } from '../view/keymap.js';
import type { IncidentsAction, IncidentsState } from '../view/incidents-state.js';

export type CommandHandlers = Partial<Record<Command, () => void>>;

export interface DashboardContextValue {
  state: IncidentsState;
  dispatch: Dispatch<IncidentsAction>;
  /** Epoch ms, ticking (durations and ages on screen). */
  now: number;
  /** Goes to a page address without reloading (History API). */
  navigate(href: string, options?: { replace?: boolean }): void;
  /** The current query string (filters). */
  search: string;
  /** Who is recorded as acting: the token's name, or the name the page asked for ('' until given). */
  actor: string;
  setActor(name: string): void;
  /** The token's name decides the actor (the page asks for no name). */
  actorFromToken: boolean;
  /** A viewer: the page offers no changes. */
  readOnly: boolean;
  /** A screen's answers to commands, replaced whenever it renders. */
  commands: { current: CommandHandlers };
}

export const DashboardContext = createContext<DashboardContextValue | null>(null);

export function useDashboard(): DashboardContextValue {
  const value = useContext(DashboardContext);
  if (value === null) throw new Error('useDashboard outside the dashboard');
  return value;
}

/** The screen's command handlers, active while it is shown (the latest render's closures). */
export function useScreenCommands(handlers: CommandHandlers): void {
  const { commands } = useDashboard();
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const proxy: CommandHandlers = {};
    for (const command of Object.keys(latest.current) as Command[]) proxy[command] = () => latest.current[command]?.();
    commands.current = proxy;
    return () => {
      if (commands.current === proxy) commands.current = {};
    };
    // The set of commands a screen answers is fixed per screen; the closures are read through `latest`.
  }, [commands, Object.keys(handlers).join(',')]);
}

/** A link inside the page: a real link (open in a new tab works), followed without a reload. */
export function PageLink(props: { href: string; children: ReactNode; className?: string; 'aria-label'?: string }) {
  const { navigate } = useDashboard();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} className={props.className} aria-label={props['aria-label']} onClick={onClick}>
      {props.children}
    </a>
  );
}
