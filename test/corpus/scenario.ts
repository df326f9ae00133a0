// A labelled detection scenario: what a real deployment sends, and the incidents a person would want from it.
// One scenario per file in test/corpus/scenarios/ (picked up by name: NN-what-it-is.ts, exporting `scenario`);
// test/e2e/corpus.test.ts runs each against its own daemon and scores the lot (score.ts).

export interface ScenarioContext {
  /** OTLP/gRPC host:port of the daemon (it changes after restart()). */
  readonly endpoint: string;
  /** Epoch ms the scenario's times are relative to: a few seconds before it starts sending. */
  readonly origin: number;
  /** kill -9 the daemon and start it again on the same storage (what a crash between storing and acknowledging is). */
  restart(): Promise<void>;
}

export interface ExpectedIncident {
  /** incident_type */
  type: string;
  severity: string;
  /** root_cause.primary_source: where the failure lies. */
  primary_source: string;
  /** root_cause.root_span.service; null when no root span is expected (logs or metrics alone). */
  root_span_service: string | null;
  /**
   * The services the incident is about. An incident matches this expectation when its type is `type` and its
   * affected_components list at least one of them.
   */
  components: readonly string[];
  /** How many such incidents; default 1. */
  count?: number;
  /** event_count, when the scenario is about counting (retried exports). */
  event_count?: number;
  /** Further fields of root_cause.root_span that must hold. */
  root_span?: Readonly<Record<string, string>>;
}

export interface Scenario {
  /** One line: what happens. */
  title: string;
  /** The issue item it exercises (1–6), or 0 for the clean cases every change must keep. */
  item: number;
  /** YAML appended to the daemon's configuration. */
  config?: string;
  /** Event times far in the past (replayed telemetry): left out of the MTTD figures. */
  replayed?: boolean;
  send(context: ScenarioContext): Promise<void>;
  expected: readonly ExpectedIncident[];
}
