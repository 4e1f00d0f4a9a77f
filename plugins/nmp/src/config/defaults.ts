/**
 * The default hardware: one DDR4-2400 channel of 4 DIMMs x 2 ranks (8 ranks), x8 8 Gb devices,
 * a RecNMP processing unit and RankCache per rank. Each default names its unit and source;
 * "assumed" marks a value no source here fixes, with the reason for the value chosen.
 *
 * Sources:
 * - [DRAMsim3] umd-memsys/DRAMsim3, configs/DDR4_8Gb_x8_2400.ini: "DDR4-2400 for Micron
 *   MT40A1G8PM-083E" (timings in tCK, IDD currents in mA per device, VDD in V).
 * - [JESD79-4] JEDEC DDR4 SDRAM standard (tRTP = max(4 nCK, 7.5 ns)).
 * - [Horowitz] M. Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm figures: fp32 add
 *   0.9 pJ, fp32 multiply 3.7 pJ, 64-bit SRAM read 10 pJ (8 KB), 20 pJ (32 KB), 100 pJ (1 MB).
 * - [RecNMP] L. Ke et al., "RecNMP: Accelerating Personalized Recommendation with Near-Memory
 *   Processing", ISCA 2020: per-rank NMP units, RankCache, table-aware packet scheduling,
 *   hot-entry profiling; up to 9.8x memory latency, 4.2x throughput, 45.8% memory energy saving.
 */
export const DEFAULT_NMP_CONFIG = {
  /** Reply when the modelled hardware would have finished (shard pacing). */
  paced: false,
  topology: {
    /** Memory channels. Issue 7's fallback system (RecNMP's 8-rank point): 1. */
    channels: 1,
    /** DIMMs per channel: 4 (issue 7 fallback). */
    dimmsPerChannel: 4,
    /** Ranks per DIMM: 2 (dual-rank RDIMMs; issue 7 fallback). */
    ranksPerDimm: 2,
  },
  dram: {
    /** Clock period, ns: 0.833 (1200 MHz, DDR4-2400) [DRAMsim3]. */
    tCKns: 0.833,
    /** CAS latency, tCK: 16 [DRAMsim3]. */
    CL: 16,
    /** ACT to RD, tCK: 16 [DRAMsim3]. */
    tRCD: 16,
    /** PRE period, tCK: 16 [DRAMsim3]. */
    tRP: 16,
    /** ACT to PRE, tCK: 39 [DRAMsim3]. */
    tRAS: 39,
    /** RD to PRE, tCK: 9 = max(4 nCK, 7.5 ns) at 0.833 ns [JESD79-4]. */
    tRTP: 9,
    /** RD to RD, different bank group, tCK: 4 [DRAMsim3]. */
    tCCD_S: 4,
    /** RD to RD, same bank group, tCK: 6 [DRAMsim3]. */
    tCCD_L: 6,
    /** ACT to ACT, different bank group, tCK: 4 [DRAMsim3]. */
    tRRD_S: 4,
    /** ACT to ACT, same bank group, tCK: 6 [DRAMsim3]. */
    tRRD_L: 6,
    /** Four-activate window, tCK: 26 (21 ns) [DRAMsim3]. */
    tFAW: 26,
    /** Rank-to-rank (and bus direction) switch on a shared data bus, tCK: 2 [DRAMsim3]. */
    tRTRS: 2,
    /** Burst length, beats: 8, so one burst is 4 tCK and 64 bytes on a 64-bit bus [DRAMsim3]. */
    burstLength: 8,
    /** Bank groups per rank: 4 [DRAMsim3]. */
    bankGroups: 4,
    /** Banks per bank group: 4 [DRAMsim3]. */
    banksPerGroup: 4,
    /** Rows per bank: 65536 [DRAMsim3]. */
    rowsPerBank: 65536,
    /** Columns per row: 1024 [DRAMsim3]. */
    columns: 1024,
    /** Device width, bits: 8 [DRAMsim3]. */
    deviceWidth: 8,
    /** Devices per rank: 8 (a 64-bit rank of x8 devices, no ECC device; assumed). */
    devicesPerRank: 8,
    /** Row-buffer policy: open page (rows stay open until a conflict), as DRAMsim3 defaults. */
    pagePolicy: 'open' as 'open' | 'closed',
    /**
     * Reads a rank keeps in flight (the host controller's per-rank queue, a rank-NMP unit's
     * instruction buffer), 64-byte entries: 64, assumed, the same for both systems. DRAMsim3's
     * per-rank queue holds 16, but a rank streaming random rows alone needs about
     * (tRP + tRCD + CL + a row's reads) / tCCD_S = 20 in flight, more when instructions come in
     * packets; 64 lets neither system starve, which if anything flatters the host.
     */
    queueDepth: 64,
  },
  power: {
    /** Supply voltage, V: 1.2 [DRAMsim3]. */
    VDD: 1.2,
    /** One-bank ACT-PRE current, mA per device: 48 [DRAMsim3]. */
    IDD0: 48,
    /** Precharge standby current, mA per device: 34 [DRAMsim3]. */
    IDD2N: 34,
    /** Active standby current, mA per device: 43 [DRAMsim3]. */
    IDD3N: 43,
    /** Burst read current, mA per device: 135 [DRAMsim3]. */
    IDD4R: 135,
    /** All-bank refresh current, mA per device: 250 [DRAMsim3]. */
    IDD5AB: 250,
    /** Refresh cycle time, tCK: 420 (350 ns, 8 Gb) [DRAMsim3]. */
    tRFC: 420,
    /** Refresh interval, tCK: 9364 (7.8 us) [DRAMsim3]. */
    tREFI: 9364,
  },
  links: {
    /**
     * Memory-channel I/O energy between the host's controller and a DIMM, pJ per bit moved:
     * 10, assumed. DRAMPower/DRAMsim3 leave I/O out; 10 pJ/bit is a POD12 estimate (1.2 V into
     * about 94 ohm of driver plus termination for a driven-low bit at 2400 MT/s, about 6 pJ,
     * plus controller PHY and clocking). docs/nmp-calibration.md gives the saving's sensitivity.
     */
    channelPjPerBit: 10,
    /**
     * I/O energy from a DRAM device to the NMP logic in the same DIMM's buffer, pJ per bit: 4,
     * assumed (the same drivers over a few centimetres of module trace: roughly half the channel
     * cost, without the controller PHY).
     */
    onDimmPjPerBit: 4,
  },
  nmp: {
    /**
     * Bits of one NMP instruction on the channel: 80, assumed (a 32-bit DRAM address, a 32-bit
     * fp32 weight, and opcode, vector size, locality bit and partial-sum tag, the fields of
     * RecNMP's NMP-Inst; their exact widths are assumed).
     */
    instructionBits: 80,
    /** Instructions per packet sent to a channel's DIMMs: 8, assumed. */
    packetInstructions: 8,
    /** Cycles (tCK) for a DIMM to decode a packet and queue its instructions: 2, assumed. */
    decodeCycles: 2,
    /** fp32 lanes of a rank-NMP unit's multiply-add datapath per tCK: 16, assumed. */
    lanes: 16,
    /** Cycles to add the ranks' partial sums in the DIMM-NMP unit: 2, assumed. */
    mergeCycles: 2,
    /** Energy of one fp32 multiply-add, pJ: 4.6 = 3.7 + 0.9 [Horowitz, 45 nm]. */
    macPj: 4.6,
    /** Static power of one rank's NMP logic and RankCache, mW: 10, assumed. */
    staticMwPerRank: 10,
  },
  cache: {
    /** RankCache per rank, KiB: 128, assumed (an SRAM budget for a DIMM buffer chip). */
    kib: 128,
    /** Replacement policy: lru (fifo: no promotion on hits; off: no cache). */
    policy: 'lru' as 'lru' | 'fifo' | 'off',
    /** Hit latency, tCK: 2, assumed (a small SRAM in the buffer chip). */
    hitCycles: 2,
    /**
     * Energy of a 64-bit access, pJ; 0 derives it from the size by log-interpolating
     * [Horowitz]'s 8 KB, 32 KB and 1 MB figures (128 KiB: about 38 pJ).
     */
    pjPer64Bits: 0,
  },
  scheduling: {
    /** Table-aware packet scheduling: group a table's packets instead of interleaving them. */
    tableAware: true,
  },
  profiling: {
    /** Hot-entry profiling: only rows seen at least hotThreshold times in the batch are cached. */
    enabled: true,
    /** Accesses within one batch that make a row hot (cached and pinned for the batch): 2. */
    hotThreshold: 2,
  },
  host: {
    /**
     * Last-level-cache share the host's embedding lookups get, KiB: 0, assumed (RecNMP's
     * baseline is the memory traffic of co-located operators; set it to credit the host's LLC).
     */
    cacheKiB: 0,
    /**
     * Latency of a row found there, tCK: 40 (33 ns), assumed: the order of a server LLC hit;
     * it is off the memory path and matters only with cacheKiB > 0.
     */
    cacheHitCycles: 40,
  },
};

export type NmpConfig = typeof DEFAULT_NMP_CONFIG;
