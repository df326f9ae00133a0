// The daemon's /metrics as the e2e tests read it: scraped as Prometheus would (status and content type checked),
// parsed by the strict text-format parser, and one sample's value looked up by family, labels and sample name.

import { expect } from 'vitest';
import { parsePrometheusText, type PrometheusFamily } from '../../daemon/prometheus-text.js';

export type MetricFamilies = Map<string, PrometheusFamily>;

export async function scrapeMetrics(endpoint: string): Promise<MetricFamilies> {
  const response = await fetch(`http://${endpoint}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await response.text());
}

/** The value of `sample` (the family's own name unless given, e.g. a histogram's `_count`) whose labels include `labels`; throws when none. */
export function sampleValue(families: MetricFamilies, family: string, labels: Record<string, string> = {}, sample = family): number {
  const found = families.get(family)?.samples.find((s) => s.name === sample && Object.entries(labels).every(([key, v]) => s.labels[key] === v));
  if (found === undefined) throw new Error(`no sample ${sample}${JSON.stringify(labels)} in ${family}`);
  return found.value;
}
