// Element types of embedding tables, as @recmesh/backend's contract defines them.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#define RM_HOST_DEVICE __host__ __device__
#else
#define RM_HOST_DEVICE
#endif

namespace recmesh::cuda {

/**
 * kF32: float32 rows. kF16: IEEE binary16 rows. kI8: FBGEMM's Fused8BitRowwise rows, `dim` uint8
 * codes followed by a float32 scale and a float32 bias; value = code * scale + bias.
 */
enum class Dtype : int { kF32 = 0, kF16 = 1, kI8 = 2 };

inline bool DtypeFromInt(int64_t v, Dtype* out) {
  if (v < 0 || v > 2) return false;
  *out = static_cast<Dtype>(v);
  return true;
}

inline const char* DtypeName(Dtype t) {
  switch (t) {
    case Dtype::kF32: return "fp32";
    case Dtype::kF16: return "fp16";
    case Dtype::kI8: return "int8";
  }
  return "?";
}

/** Bytes of one row. */
RM_HOST_DEVICE inline size_t RowBytes(Dtype t, int64_t dim) {
  switch (t) {
    case Dtype::kF32: return static_cast<size_t>(dim) * 4;
    case Dtype::kF16: return static_cast<size_t>(dim) * 2;
    case Dtype::kI8: return static_cast<size_t>(dim) + 8;
  }
  return 0;
}

}  // namespace recmesh::cuda
