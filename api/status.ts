// `GetStatus`: who the daemon is and what it is doing.

export type DaemonStatusJson = {
  /** Stable identity of the daemon's store: created once, kept across restarts. */
  daemon_id: string;
  version: string;
  started_at: string;
  /** host:port the OTLP/gRPC receiver is bound to. */
  otlp_grpc_endpoint: string;
  /** host:port of the OTLP/HTTP receiver; '' when it is off. */
  otlp_http_endpoint: string;
  storage_directory: string;
  open_incidents: number;
  incidents_total: number;
  spans_received: number;
  spans_rejected: number;
  log_records_received: number;
  metric_points_received: number;
  events_accepted: number;
  bad_requests: number;
  /** The sequence number of the latest incident update. */
  seq: number;
};
