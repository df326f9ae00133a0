// `firewatch trace TRACE_ID`: every span and event of one trace, as a tree — the drill-down from an incident.

import { UsageError, type CommandSpec } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { FORMAT_FLAG, formatOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { terminalWidth } from '../render/table.js';
import { renderTrace } from '../../view/trace-text.js';

export const trace: CommandSpec = {
  path: ['trace'],
  summary: 'Show every span and event of one trace, as a tree.',
  positionals: [{ name: 'trace_id', required: true, description: 'the trace ID (32 hex characters), e.g. from `incidents get`' }],
  flags: [FORMAT_FLAG],
  examples: ['firewatch trace 0af7651916cd43dd8448eb211c80319c', 'firewatch trace 0af7651916cd43dd8448eb211c80319c --format json'],
  async run(args) {
    const traceId = args.positionals[0]!.toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(traceId)) throw new UsageError(`TRACE_ID must be 32 hex characters, got ${JSON.stringify(args.positionals[0])}`, trace);
    const result = await withClient(args, (client) => client.getTrace(traceId));
    const format = formatOf(args);
    if (format === 'json') printJson(result);
    else if (format === 'csv') {
      print(
        renderCsv(
          ['span_id', 'parent_span_id', 'depth', 'service', 'name', 'kind', 'start', 'duration_ms', 'status', 'status_message', 'exception_type'],
          result.spans.map((s) => [s.span_id, s.parent_span_id, s.depth, s.service, s.name, s.kind, s.start, s.duration_ms, s.status, s.status_message, s.exception_type]),
        ),
      );
    } else print(renderTrace(result, terminalWidth()));
    return 0;
  },
};
