// Comparison for the ingest benchmark: the obvious receiver, built with @grpc/proto-loader on proto/, which
// materialises every request as plain objects and walks the spans to find errors.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { protoDirectory } from '../../common/package-root.js';

interface LoadedSpan {
  status?: { code?: string | number };
}
interface LoadedRequest {
  resource_spans?: { scope_spans?: { spans?: LoadedSpan[] }[] }[];
}

export async function startProtoLoaderServer(endpoint = '127.0.0.1:0'): Promise<{ server: grpc.Server; port: number; errors: () => number }> {
  const definition = protoLoader.loadSync(join(protoDirectory(), 'opentelemetry/proto/collector/trace/v1/trace_service.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    includeDirs: [protoDirectory()],
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: { TraceService: grpc.ServiceClientConstructor } } } } };
  };
  let errorSpans = 0;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(loaded.opentelemetry.proto.collector.trace.v1.TraceService.service, {
    Export: (call: grpc.ServerUnaryCall<LoadedRequest, object>, callback: grpc.sendUnaryData<object>) => {
      for (const resourceSpans of call.request.resource_spans ?? []) {
        for (const scopeSpans of resourceSpans.scope_spans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            if (span.status?.code === 'STATUS_CODE_ERROR' || span.status?.code === 2) errorSpans++;
          }
        }
      }
      callback(null, {});
    },
  });
  return new Promise((resolve, reject) =>
    server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve({ server, port, errors: () => errorSpans }),
    ),
  );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { port } = await startProtoLoaderServer(process.argv[2]);
  process.stdout.write(`ready port=${port}\n`);
}
