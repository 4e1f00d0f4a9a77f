import { z } from '@recmesh/config';

const cycles = z.number().int().min(1, 'must be at least 1 cycle');
const count = z.number().int().min(1, 'must be at least 1');
const positive = z.number().positive('must be positive');
const nonNegative = z.number().min(0, 'must not be negative');

/** The full configuration, every field required (defaults are merged in first). */
export const nmpConfigSchema = z.strictObject({
  paced: z.boolean(),
  topology: z.strictObject({
    channels: count.max(16),
    dimmsPerChannel: count.max(16),
    ranksPerDimm: count.max(8),
  }),
  dram: z.strictObject({
    tCKns: positive,
    CL: cycles,
    tRCD: cycles,
    tRP: cycles,
    tRAS: cycles,
    tRTP: cycles,
    tCCD_S: cycles,
    tCCD_L: cycles,
    tRRD_S: cycles,
    tRRD_L: cycles,
    tFAW: cycles,
    tRTRS: z.number().int().min(0, 'must not be negative'),
    burstLength: z.number().int().min(2).max(16).multipleOf(2, 'must be even (two beats a cycle)'),
    bankGroups: count.max(16),
    banksPerGroup: count.max(16),
    rowsPerBank: count,
    columns: count,
    deviceWidth: z.union([z.literal(4), z.literal(8), z.literal(16)]),
    devicesPerRank: count.max(32),
    pagePolicy: z.enum(['open', 'closed']),
    queueDepth: count.max(4096),
  }),
  power: z.strictObject({
    VDD: positive,
    IDD0: positive,
    IDD2N: nonNegative,
    IDD3N: nonNegative,
    IDD4R: positive,
    IDD5AB: nonNegative,
    tRFC: cycles,
    tREFI: cycles,
  }),
  links: z.strictObject({
    channelPjPerBit: nonNegative,
    onDimmPjPerBit: nonNegative,
  }),
  nmp: z.strictObject({
    instructionBits: count.max(512),
    packetInstructions: count.max(1024),
    decodeCycles: z.number().int().min(0),
    lanes: count.max(256),
    mergeCycles: z.number().int().min(0),
    macPj: nonNegative,
    staticMwPerRank: nonNegative,
  }),
  cache: z.strictObject({
    kib: nonNegative.max(1 << 20),
    policy: z.enum(['lru', 'fifo', 'off']),
    hitCycles: cycles,
    pjPer64Bits: nonNegative,
  }),
  scheduling: z.strictObject({ tableAware: z.boolean() }),
  profiling: z.strictObject({ enabled: z.boolean(), hotThreshold: count }),
  host: z.strictObject({ cacheKiB: nonNegative.max(1 << 22), cacheHitCycles: cycles }),
});
