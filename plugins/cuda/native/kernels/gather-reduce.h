// Gather-reduce (SparseLengthsSum, its weighted and mean forms) over a table in device memory.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "bags.h"
#include "dtype.h"
#include "status.h"

namespace recmesh::cuda {

/** Largest dim the kernel pools: 32 lanes x 8 chunks x 4 elements (256 when dim % 4 != 0). */
constexpr int kMaxDim = 1024;
constexpr int kMaxDimUnaligned = 256;

/**
 * Where the kernel found input it refused. Each field is the smallest offending position, or
 * kNoFault. Callers validate bags before a backend sees them (validateBags); this is the device's
 * own guard so that a bad index is an error, never an out-of-bounds read.
 */
struct GatherFault {
  unsigned long long index;  // position in `indices` of a row outside [0, rows)
  unsigned long long bag;    // bag whose offsets are not a valid [start, end) of the indices
};
constexpr unsigned long long kNoFault = ~0ull;

/** One batch of bags over one device table; every pointer is device memory. */
struct GatherArgs {
  const void* table = nullptr;
  int64_t rows = 0;
  int32_t dim = 0;
  Dtype dtype = Dtype::kF32;
  /** In device memory. */
  Bags bags;
  /** float32 [bags][dim]. */
  float* out = nullptr;
  /** Set to kNoFault (all bytes 0xff) before the launch; see ResetFault. */
  GatherFault* fault = nullptr;
};

/** Whether the kernel pools rows of `dim` elements; `why` says why not. */
bool DimSupported(int64_t dim, std::string* why);

/** Queues fault = {kNoFault, kNoFault} on `stream`. */
Status ResetFault(GatherFault* fault, cudaStream_t stream);

/** Queues the gather-reduce on `stream` (asynchronous; errors of the launch itself are returned).
 */
Status LaunchGatherReduce(const GatherArgs& args, cudaStream_t stream);

}  // namespace recmesh::cuda
