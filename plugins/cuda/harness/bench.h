// Throughput of the kernels: device-to-device copy bandwidth as the yardstick, gather-reduce
// lookups/s and GB/s, dense samples/s; each both for the kernel alone (device arrays, timed with
// events) and through the lanes from pageable host memory, as the addon serves a request.
#pragma once

#include <cstdint>
#include <vector>

#include "../native/kernels/runtime.h"
#include "json-writer.h"

namespace recmesh::harness {

struct BenchOptions {
  /** The target table: 10M x 64 fp32 (2.56 GB). */
  int64_t rows = 10'000'000;
  int dim = 64;
  /** Bags per kernel launch and indices per bag (RMC1's pool is 80). */
  int bags = 16384;
  int pool = 80;
  /** Bags per request through the lanes (a large query's worth for one table). */
  int lane_bags = 2048;
  /** Seconds each figure is measured over, after a warm-up. */
  double measure_s = 0.5;
  /** Dense batch sizes (the 10x target is at 1024). */
  std::vector<int> dense_batches = {256, 1024, 4096};
};

/** Device-to-device cudaMemcpy bandwidth, GB/s of bytes read plus written (bandwidthTest's count).
 */
cuda::Status CopyBandwidth(int device, double measure_s, double* gbs, size_t* bytes);

/** Writes an array of figures into a fresh `json`; fp32_fraction gets the fp32 sum kernel's share
 * of `copy_gbs`. */
cuda::Status GatherThroughput(cuda::LanePool& pool, const BenchOptions& options, double copy_gbs,
                              JsonWriter& json, double* fp32_fraction);

/** Writes an array of figures into a fresh `json`; rmc3_sps gets RMC3's samples/s at batch 1024
 * through the lanes. */
cuda::Status DenseThroughput(cuda::LanePool& pool, const BenchOptions& options, JsonWriter& json,
                             double* rmc3_sps);

}  // namespace recmesh::harness
