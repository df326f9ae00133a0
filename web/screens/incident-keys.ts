// The key map's incident commands where a list has a selected incident (overview, incidents): Enter opens it, `t` its
// root span's trace, and the action keys open it with that action's form (`?do=assign`), where the name of who acts
// and any confirmation are asked for.

import type { IncidentEntry } from '../../view/incidents-state.js';
import { displayId } from '../../view/incidents-state.js';
import type { CommandHandlers, DashboardContextValue } from '../dashboard-context.js';
import { incidentHref, traceHref } from '../routes.js';

export const INCIDENT_ACTIONS = ['acknowledge', 'assign', 'mitigate', 'resolve', 'close', 'export'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

export function incidentKeyCommands(dashboard: DashboardContextValue, selected: IncidentEntry | undefined): CommandHandlers {
  const go = (href: string) => () => {
    if (selected !== undefined) dashboard.navigate(href);
  };
  const id = selected === undefined ? '' : displayId(dashboard.state, selected);
  const withAction = (action: IncidentAction) => go(`${incidentHref(id)}?do=${action}`);
  const rootSpan = selected?.incident.root_cause.root_span;
  const traceId = rootSpan?.trace_id ?? selected?.incident.trace_ids[0];
  return {
    open: go(incidentHref(id)),
    trace: traceId === undefined ? () => undefined : go(traceHref(traceId, id)),
    acknowledge: withAction('acknowledge'),
    assign: withAction('assign'),
    mitigate: withAction('mitigate'),
    resolve: withAction('resolve'),
    close: withAction('close'),
    export: withAction('export'),
  };
}
