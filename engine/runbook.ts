// Runbooks: per incident type, the steps a responder follows and the pages worth opening. They come from the
// configuration (`remediation.runbooks`, checked by respond/config.ts parseRunbooksConfig) and end up in
// post-mortems (engine/postmortem.ts) and, through runbookToJson, in the control API.
//
//   otel-config.yaml  remediation.runbooks.<incident_type>: { steps: [..], links: [{ title, url }] }
//        └─ parseRunbooksConfig(raw) ──▶ Partial<Record<IncidentType, Runbook>> ──▶ renderPostmortem({ runbook })
//
// By the time a Runbook reaches the engine its text is one line without control characters and its links are
// http(s) URLs without credentials.

export interface RunbookLink {
  title: string;
  /** An absolute http: or https: URL, as WHATWG `URL.href` normalises it. */
  url: string;
}

export interface Runbook {
  /** What to do, in order; one line each. */
  steps: string[];
  links: RunbookLink[];
}

/** The JSON shape (control API, `--format json`); the same fields, copied. */
export type RunbookJson = {
  steps: string[];
  links: { title: string; url: string }[];
};

export function runbookToJson(runbook: Runbook): RunbookJson {
  return {
    steps: [...runbook.steps],
    links: runbook.links.map((link) => ({ title: link.title, url: link.url })),
  };
}
