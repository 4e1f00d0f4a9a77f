// binary16 for RECMESH_CUDA_EMULATION builds: the compiler's _Float16 (IEEE round to nearest
// even), an implementation independent of the harness's own conversion.
#pragma once

#include <cstring>

#include "cuda_runtime.h"

struct __half {
  unsigned short x;
};
struct __half2 {
  __half x, y;
};

inline __half __ushort_as_half(unsigned short bits) { return __half{bits}; }
inline __half2 __halves2half2(__half lo, __half hi) { return {lo, hi}; }
inline float __half2float(__half h) {
  _Float16 v;
  std::memcpy(&v, &h.x, 2);
  return static_cast<float>(v);
}
inline __half __float2half(float f) {
  const _Float16 v = static_cast<_Float16>(f);
  __half h;
  std::memcpy(&h.x, &v, 2);
  return h;
}
inline float2 __half22float2(__half2 h) { return {__half2float(h.x), __half2float(h.y)}; }
