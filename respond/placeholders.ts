// Incident values handed to an action: `{{placeholders}}` inside argv elements, and FIREWATCH_* variables.
//
// Incident text is untrusted telemetry (a service name can be `; rm -rf /`). It is substituted inside the one
// argv element that names it, never splitting or joining elements, and the argv goes to spawn() without a shell,
// so no character in it has any meaning beyond being part of that argument. NUL bytes are removed: spawn refuses
// them, and C strings would end there.

import { type Incident } from '../engine/index.js';

export const PLACEHOLDERS = [
  'incident_id',
  'incident_type',
  'severity',
  'title',
  'primary_source',
  'affected_components',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export type IncidentValues = Readonly<Record<Placeholder, string>>;

/** `{{name}}`, spaces inside the braces allowed. */
const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Problems with the placeholders of one template (an argv element): unknown names, unbalanced braces.
 * Empty when it is fine.
 */
export function placeholderProblems(template: string): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] ?? '';
    if (!isPlaceholder(name)) {
      problems.push(`unknown placeholder {{${name}}} (known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`);
    }
  }
  const rest = template.replace(PLACEHOLDER_PATTERN, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('unbalanced {{ }} (placeholders look like {{incident_id}})');
  return problems;
}

export function hasPlaceholder(template: string): boolean {
  PLACEHOLDER_PATTERN.lastIndex = 0;
  const found = PLACEHOLDER_PATTERN.test(template);
  PLACEHOLDER_PATTERN.lastIndex = 0;
  return found;
}

export function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '') : text;
}

/** The primary source: the root cause's, else the group the incident owns, else its first component. */
export function primarySource(incident: Incident): string {
  return incident.root_cause.primary_source || incident.group_key || incident.affected_components[0] || '';
}

export function incidentValues(incident: Incident): IncidentValues {
  return {
    incident_id: stripNul(incident.incident_id),
    incident_type: stripNul(incident.incident_type),
    severity: stripNul(incident.severity),
    title: stripNul(incident.title),
    primary_source: stripNul(primarySource(incident)),
    affected_components: stripNul(incident.affected_components.join(',')),
  };
}

/** Substitutes inside each element separately: the result has exactly as many elements as the template. */
export function substituteArgv(template: readonly string[], values: IncidentValues): string[] {
  return template.map((element) =>
    element.replace(PLACEHOLDER_PATTERN, (whole, name: string) => (isPlaceholder(name) ? values[name] : whole)),
  );
}

/** The FIREWATCH_* environment of a command (DESIGN.md's contract). */
export function incidentEnv(values: IncidentValues): Record<string, string> {
  return {
    FIREWATCH_INCIDENT_ID: values.incident_id,
    FIREWATCH_INCIDENT_TYPE: values.incident_type,
    FIREWATCH_SEVERITY: values.severity,
    FIREWATCH_TITLE: values.title,
    FIREWATCH_PRIMARY_SOURCE: values.primary_source,
    FIREWATCH_AFFECTED_COMPONENTS: values.affected_components,
  };
}
