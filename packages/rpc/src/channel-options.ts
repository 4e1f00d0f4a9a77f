import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * Largest message either side accepts. A Rank query of 1000 RMC2 items carries
 * 1000 x 32 tables x 120 ids x 4 bytes = 15 MB of ids; grpc's 4 MB default would refuse it.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // Notice a peer that vanished without closing its connection (cable cut, host gone) within
  // about 10 + 5 s rather than at the OS's TCP timeout.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.enable_retries': 0,
};

export const SERVER_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
};
