// ExportMetricsServiceRequest bytes → counts for the OTLP answer. Metric → event conversion (thresholds such as
// system.memory.utilization ≥ 0.9) is a later issue; it will plug into the visitor below.

import type { EventDraft } from '../../engine/types.js';
import { type MetricsScanVisitor, scanMetricsRequest } from './metrics-scanner.js';

export interface MetricsDecodeResult {
  /** Always empty in this issue: points are accepted and counted, not converted yet. */
  drafts: EventDraft[];
  /** Data points accepted, of every kind (gauge, sum, histogram, exponential histogram, summary). */
  dataPoints: number;
  /** Data points rejected; nothing is rejected yet, the field keeps the three signals alike. */
  rejected: number;
  errorMessage: string;
}

/** Validates and counts one request. Throws DecodeError (only) when the bytes are not a decodable request. */
export function decodeMetricsRequest(bytes: Uint8Array): MetricsDecodeResult {
  const visitor = new CountPointsVisitor();
  scanMetricsRequest(bytes, visitor);
  return { drafts: [], dataPoints: visitor.points, rejected: 0, errorMessage: '' };
}

class CountPointsVisitor implements MetricsScanVisitor {
  points = 0;

  resource(): void {}

  dataPoint(): void {
    this.points++;
  }
}
