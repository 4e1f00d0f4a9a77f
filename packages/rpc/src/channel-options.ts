import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * Largest message either side accepts. A Rank query of 1000 RMC2 items carries
 * 1000 x 32 tables x 120 ids x 4 bytes = 15 MB of ids; grpc's 4 MB default would refuse it.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * Client keepalive: a ping every second on every connection, with or without calls. A peer that
 * vanished without closing its connection (host cut off, cable pulled: no FIN, no RST) is noticed
 * within KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS (3 s) instead of at the OS's TCP timeout
 * (minutes); its calls then end UNAVAILABLE and the orchestrator retries them on another replica.
 * The timeout is twice the interval so that a server whose event loop is busy for a second (a
 * large lookup batch) is not taken for dead. Measured in test/multihost: see docs/deploy.md.
 */
export const KEEPALIVE_TIME_MS = 1_000;
export const KEEPALIVE_TIMEOUT_MS = 2_000;

/**
 * HTTP/2 flow-control window of every recmesh connection and stream, both directions. Node's
 * default is 64 KiB: a 1.7 MB Lookup reply or a 3.4 MB Predict request then waits for the
 * receiver's event loop to send a WINDOW_UPDATE every 64 KiB, about 27 and 53 round trips, each
 * longer when that loop is busy with another batch. 16 MiB lets one batch's tensors through at
 * once (the flow control still bounds what a slow reader buffers, at 16 MiB per connection).
 * Clients set it with grpc-js's option below; servers in startRpcServer (grpc-js has no server
 * option for it).
 */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

export const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.enable_retries': 0,
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
};

export const SERVER_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // Servers that enforce a minimum ping interval (gRPC C-core, grpc-go, proxies that honour these
  // options) answer pings more frequent than it with GOAWAY too_many_pings, which would drop every
  // connection of a client above: allow pings at half the clients' interval, with or without
  // calls. grpc-js 1.14 servers enforce none, so for them this only documents the contract.
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': KEEPALIVE_TIME_MS / 2,
  // 0: no strikes counted (C-core's meaning), so a burst of early pings never drops a connection.
  'grpc.http2.max_ping_strikes': 0,
};
