// Baseline for the ingest benchmark: a grpc-js server that registers TraceService/Export and acknowledges every
// request without looking at it. What firewatch adds on top of this is the cost of decoding, detection and storage.

import * as grpc from '@grpc/grpc-js';

const EMPTY = Buffer.alloc(0);

export function startAckOnlyServer(endpoint = '127.0.0.1:0'): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    },
    { Export: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, EMPTY) },
  );
  return new Promise((resolve, reject) =>
    server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve({ server, port }),
    ),
  );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { port } = await startAckOnlyServer(process.argv[2]);
  process.stdout.write(`ready port=${port}\n`);
}
