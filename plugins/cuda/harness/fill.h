// Filling large benchmark tables on the device (uploading 2.5 GB from the host would dominate).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../native/kernels/dtype.h"
#include "../native/kernels/status.h"

namespace recmesh::harness {

/** Rows of pseudo-random values in [-1, 1] (int8: codes with scale 2/255, bias -1). */
cuda::Status FillTable(void* table, int64_t rows, int dim, cuda::Dtype dtype, uint64_t seed,
                       cudaStream_t stream);

}  // namespace recmesh::harness
