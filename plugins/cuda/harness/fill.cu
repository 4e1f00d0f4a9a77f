#include <cuda_fp16.h>

#include <algorithm>

#include "fill.h"

namespace recmesh::harness {
namespace {

__device__ __forceinline__ uint32_t Hash(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return static_cast<uint32_t>(x);
}

__global__ void FillKernel(uint8_t* table, int64_t rows, int dim, cuda::Dtype dtype,
                           uint64_t seed) {
  const size_t row_bytes = cuda::RowBytes(dtype, dim);
  const int64_t total = rows * dim;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = e / dim;
    const int d = static_cast<int>(e % dim);
    const uint32_t h = Hash(seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(e));
    const float v = static_cast<float>(h) * (2.0f / 4294967296.0f) - 1.0f;
    uint8_t* row = table + r * row_bytes;
    switch (dtype) {
      case cuda::Dtype::kF32: reinterpret_cast<float*>(row)[d] = v; break;
      case cuda::Dtype::kF16: reinterpret_cast<__half*>(row)[d] = __float2half(v); break;
      case cuda::Dtype::kI8:
        row[d] = static_cast<uint8_t>(h >> 24);
        if (d == 0) {  // unaligned when dim % 4 != 0: write the floats bytewise
          const float sb[2] = {2.0f / 255.0f, -1.0f};
          const uint8_t* bytes = reinterpret_cast<const uint8_t*>(sb);
          for (int i = 0; i < 8; ++i) row[dim + i] = bytes[i];
        }
        break;
    }
  }
}

}  // namespace

cuda::Status FillTable(void* table, int64_t rows, int dim, cuda::Dtype dtype, uint64_t seed,
                       cudaStream_t stream) {
  const int64_t total = rows * dim;
  if (total == 0) return cuda::Status();
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((total + 255) / 256, 1 << 20));
  RM_LAUNCH_KERNEL(FillKernel, blocks, 256, stream, static_cast<uint8_t*>(table), rows, dim, dtype,
                   seed);
  return cuda::Status();
}

}  // namespace recmesh::harness
