// Gather-reduce kernels. One warp pools one bag (grid-stride over bags). The warp is split into
// groups of `lanes_per_row` lanes: each group reads a different index of the bag, its lanes cover
// the row with 16-byte (fp32), 8-byte (fp16) or 4-byte (int8) loads, and the groups' partial sums
// are combined with warp shuffles at the end. A row of 64 fp32 takes 16 lanes, so a warp keeps
// two rows in flight per step, and each group unrolls up to four indices ahead, which is what a
// memory-bound gather needs (FBGEMM's TBE and HugeCTR's embedding lookups use the same shape).
#include <cuda_fp16.h>

#include <algorithm>

#include "gather-reduce.h"

namespace recmesh::cuda {
namespace {

constexpr int kWarp = 32;
constexpr int kBlock = 256;  // 8 warps, 8 bags per block
constexpr unsigned kFullMask = 0xffffffffu;

__device__ __forceinline__ float LoadF32Unaligned(const uint8_t* p) {
  const uint32_t bits = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                        (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
  return __uint_as_float(bits);
}

/** Scale and bias of a Fused8BitRowwise row (after its `dim` codes). */
template <int VEC>
__device__ __forceinline__ void ScaleBias(const uint8_t* row, int dim, float* scale, float* bias) {
  if (VEC == 4) {  // dim % 4 == 0: the floats are 4-byte aligned
    const float* sb = reinterpret_cast<const float*>(row + dim);
    *scale = __ldg(sb);
    *bias = __ldg(sb + 1);
  } else {
    *scale = LoadF32Unaligned(row + dim);
    *bias = LoadF32Unaligned(row + dim + 4);
  }
}

/** VEC elements of a row starting at column `col`, as floats (int8: the raw codes). */
template <Dtype D, int VEC>
__device__ __forceinline__ void LoadElements(const uint8_t* row, int col, float (&v)[VEC]) {
  if constexpr (D == Dtype::kF32) {
    if constexpr (VEC == 4) {
      const float4 x = __ldg(reinterpret_cast<const float4*>(row) + col / 4);
      v[0] = x.x, v[1] = x.y, v[2] = x.z, v[3] = x.w;
    } else {
      v[0] = __ldg(reinterpret_cast<const float*>(row) + col);
    }
  } else if constexpr (D == Dtype::kF16) {
    if constexpr (VEC == 4) {
      const uint2 x = __ldg(reinterpret_cast<const uint2*>(row) + col / 4);
      const float2 lo = __half22float2(
          __halves2half2(__ushort_as_half(static_cast<unsigned short>(x.x & 0xffffu)),
                         __ushort_as_half(static_cast<unsigned short>(x.x >> 16))));
      const float2 hi = __half22float2(
          __halves2half2(__ushort_as_half(static_cast<unsigned short>(x.y & 0xffffu)),
                         __ushort_as_half(static_cast<unsigned short>(x.y >> 16))));
      v[0] = lo.x, v[1] = lo.y, v[2] = hi.x, v[3] = hi.y;
    } else {
      v[0] =
          __half2float(__ushort_as_half(__ldg(reinterpret_cast<const unsigned short*>(row) + col)));
    }
  } else {
    if constexpr (VEC == 4) {
      const unsigned codes = __ldg(reinterpret_cast<const unsigned*>(row) + col / 4);
      v[0] = static_cast<float>(codes & 0xffu);
      v[1] = static_cast<float>((codes >> 8) & 0xffu);
      v[2] = static_cast<float>((codes >> 16) & 0xffu);
      v[3] = static_cast<float>(codes >> 24);
    } else {
      v[0] = static_cast<float>(__ldg(row + col));
    }
  }
}

/**
 * CHUNKS: how many VEC-wide column chunks each lane owns (dim up to 32 * CHUNKS * VEC).
 * UNROLL: indices each group loads ahead before accumulating (memory-level parallelism).
 */
template <Dtype D, int VEC, int CHUNKS>
__global__ void __launch_bounds__(kBlock) GatherReduceKernel(GatherArgs a, int lanes_per_row) {
  constexpr int kUnroll = CHUNKS >= 4 ? 1 : 4 / CHUNKS;
  const int lane = static_cast<int>(threadIdx.x) % kWarp;
  const int groups = kWarp / lanes_per_row;
  const int group = lane / lanes_per_row;
  const int sub = lane % lanes_per_row;
  const int dim = a.dim;
  const size_t row_bytes = RowBytes(D, dim);
  const uint8_t* table = static_cast<const uint8_t*>(a.table);
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (kBlock / kWarp);

  for (int64_t b = (static_cast<int64_t>(blockIdx.x) * kBlock + threadIdx.x) / kWarp;
       b < a.bags.num_bags; b += warps) {
    int64_t start = __ldg(a.bags.offsets + b);
    int64_t end = b + 1 < a.bags.num_bags ? __ldg(a.bags.offsets + b + 1) : a.bags.num_indices;
    if (start < 0 || end < start || end > a.bags.num_indices) {
      if (lane == 0) atomicMin(&a.fault->bag, static_cast<unsigned long long>(b));
      start = end = 0;
    }

    float acc[CHUNKS][VEC];
#pragma unroll
    for (int c = 0; c < CHUNKS; ++c)
#pragma unroll
      for (int e = 0; e < VEC; ++e) acc[c][e] = 0.f;

    for (int64_t base = start + group; base < end; base += static_cast<int64_t>(groups) * kUnroll) {
      int32_t r[kUnroll];
      float w[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const int64_t i = base + static_cast<int64_t>(u) * groups;
        r[u] = -1;
        w[u] = 0.f;
        if (i < end) {
          const int32_t idx = __ldg(a.bags.indices + i);
          if (idx < 0 || idx >= a.rows) {
            if (sub == 0) atomicMin(&a.fault->index, static_cast<unsigned long long>(i));
          } else {
            r[u] = idx;
            w[u] = a.bags.weights != nullptr ? __ldg(a.bags.weights + i) : 1.f;
          }
        }
      }
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        if (r[u] < 0) continue;
        const uint8_t* row = table + static_cast<size_t>(r[u]) * row_bytes;
        float scale = 1.f, bias = 0.f;
        if constexpr (D == Dtype::kI8) ScaleBias<VEC>(row, dim, &scale, &bias);
#pragma unroll
        for (int c = 0; c < CHUNKS; ++c) {
          const int col = (sub + c * lanes_per_row) * VEC;
          if (col < dim) {
            float v[VEC];
            LoadElements<D, VEC>(row, col, v);
#pragma unroll
            for (int e = 0; e < VEC; ++e) {
              const float value = D == Dtype::kI8 ? fmaf(v[e], scale, bias) : v[e];
              acc[c][e] = fmaf(w[u], value, acc[c][e]);
            }
          }
        }
      }
    }

    // Combine the groups' partial sums; every lane of the warp takes part.
    for (int s = lanes_per_row; s < kWarp; s <<= 1)
#pragma unroll
      for (int c = 0; c < CHUNKS; ++c)
#pragma unroll
        for (int e = 0; e < VEC; ++e) acc[c][e] += __shfl_xor_sync(kFullMask, acc[c][e], s);

    if (group == 0) {
      const float scale = a.bags.mean && end > start ? 1.f / static_cast<float>(end - start) : 1.f;
      float* out = a.out + b * dim;
#pragma unroll
      for (int c = 0; c < CHUNKS; ++c) {
        const int col = (sub + c * lanes_per_row) * VEC;
        if (col < dim) {
          if constexpr (VEC == 4) {
            reinterpret_cast<float4*>(out)[col / 4] = make_float4(
                acc[c][0] * scale, acc[c][1] * scale, acc[c][2] * scale, acc[c][3] * scale);
          } else {
            out[col] = acc[c][0] * scale;
          }
        }
      }
    }
  }
}

int NextPow2(int v) {
  int p = 1;
  while (p < v) p <<= 1;
  return p;
}

template <Dtype D, int VEC>
Status LaunchFor(const GatherArgs& a, cudaStream_t stream) {
  const int vectors = (a.dim + VEC - 1) / VEC;  // VEC-wide loads per row
  const int lanes_per_row = vectors >= kWarp ? kWarp : NextPow2(vectors);
  const int chunks = NextPow2((vectors + kWarp - 1) / kWarp);
  // One warp per bag; the grid-stride loop takes the rest past 2^20 blocks.
  const int64_t blocks =
      std::min<int64_t>((a.bags.num_bags + kBlock / kWarp - 1) / (kBlock / kWarp), 1 << 20);
  const dim3 grid(static_cast<unsigned>(std::max<int64_t>(blocks, 1)));
  void (*kernel)(GatherArgs, int) = nullptr;
  switch (chunks) {
    case 1: kernel = GatherReduceKernel<D, VEC, 1>; break;
    case 2: kernel = GatherReduceKernel<D, VEC, 2>; break;
    case 4: kernel = GatherReduceKernel<D, VEC, 4>; break;
    case 8: kernel = GatherReduceKernel<D, VEC, 8>; break;
    default:
      return Status::Invalid("gather-reduce: dim " + std::to_string(a.dim) + " needs " +
                             std::to_string(chunks) + " chunks per lane (at most 8)");
  }
  RM_LAUNCH_KERNEL(kernel, grid, kBlock, stream, a, lanes_per_row);
  return Status();
}

template <Dtype D>
Status LaunchDtype(const GatherArgs& a, cudaStream_t stream) {
  return a.dim % 4 == 0 ? LaunchFor<D, 4>(a, stream) : LaunchFor<D, 1>(a, stream);
}

}  // namespace

bool DimSupported(int64_t dim, std::string* why) {
  if (dim < 1) {
    *why = "dim must be at least 1";
    return false;
  }
  if (dim % 4 == 0 ? dim > kMaxDim : dim > kMaxDimUnaligned) {
    *why = "dim " + std::to_string(dim) + " is larger than the kernel pools (" +
           std::to_string(kMaxDim) + ", or " + std::to_string(kMaxDimUnaligned) +
           " when dim is not a multiple of 4)";
    return false;
  }
  return true;
}

Status ResetFault(GatherFault* fault, cudaStream_t stream) {
  RM_CUDA_TRY(cudaMemsetAsync(fault, 0xff, sizeof(GatherFault), stream));
  return Status();
}

Status LaunchGatherReduce(const GatherArgs& a, cudaStream_t stream) {
  std::string why;
  if (!DimSupported(a.dim, &why)) return Status::Invalid("gather-reduce: " + why);
  if (a.rows < 0 || a.bags.num_indices < 0 || a.bags.num_bags < 0)
    return Status::Invalid("gather-reduce: negative rows, indices or bags");
  if (a.bags.num_bags == 0) return Status();
  if (a.table == nullptr && a.rows > 0) return Status::Invalid("gather-reduce: no table");
  if (a.out == nullptr || a.bags.offsets == nullptr || a.fault == nullptr ||
      (a.bags.indices == nullptr && a.bags.num_indices > 0))
    return Status::Invalid("gather-reduce: a device pointer is missing");
  switch (a.dtype) {
    case Dtype::kF32: return LaunchDtype<Dtype::kF32>(a, stream);
    case Dtype::kF16: return LaunchDtype<Dtype::kF16>(a, stream);
    case Dtype::kI8: return LaunchDtype<Dtype::kI8>(a, stream);
  }
  return Status::Invalid("gather-reduce: unknown dtype");
}

}  // namespace recmesh::cuda
