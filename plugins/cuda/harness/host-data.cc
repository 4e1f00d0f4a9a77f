#include "host-data.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace recmesh::harness {

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int32_t exponent = static_cast<int32_t>((x >> 23) & 0xffu) - 127 + 15;
  uint32_t mantissa = x & 0x7fffffu;
  if (((x >> 23) & 0xffu) == 0xffu)  // inf / nan
    return static_cast<uint16_t>(sign | 0x7c00u | (mantissa != 0 ? 0x200u : 0));
  if (exponent >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (exponent <= 0) {  // subnormal half (or zero), round to nearest even
    if (exponent < -10) return static_cast<uint16_t>(sign);
    mantissa |= 0x800000u;
    const int shift = 14 - exponent;
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1);
    const uint32_t midpoint = 1u << (shift - 1);
    if (rest > midpoint || (rest == midpoint && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exponent) << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent
  return static_cast<uint16_t>(half);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mantissa <<= 1;
      } while ((mantissa & 0x400u) == 0);
      bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mantissa & 0x3ffu) << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::vector<uint8_t> EncodeTable(const std::vector<float>& rows_f32, int64_t rows, int dim,
                                 cuda::Dtype dtype) {
  const size_t row_bytes = cuda::RowBytes(dtype, dim);
  std::vector<uint8_t> out(static_cast<size_t>(rows) * row_bytes);
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = rows_f32.data() + r * dim;
    uint8_t* dst = out.data() + r * row_bytes;
    switch (dtype) {
      case cuda::Dtype::kF32: std::memcpy(dst, src, row_bytes); break;
      case cuda::Dtype::kF16:
        for (int d = 0; d < dim; ++d) {
          const uint16_t h = FloatToHalf(src[d]);
          std::memcpy(dst + 2 * d, &h, 2);
        }
        break;
      case cuda::Dtype::kI8: {
        // FBGEMM FloatToFused8BitRowwiseQuantized: scale = range / 255, bias = min.
        const float lo = *std::min_element(src, src + dim);
        const float hi = *std::max_element(src, src + dim);
        const float scale = (hi - lo) / 255.0f;
        const float inverse = 1.0f / (scale + 1e-8f);
        for (int d = 0; d < dim; ++d)
          dst[d] =
              static_cast<uint8_t>(std::lrintf(std::clamp((src[d] - lo) * inverse, 0.0f, 255.0f)));
        std::memcpy(dst + dim, &scale, 4);
        std::memcpy(dst + dim + 4, &lo, 4);
        break;
      }
    }
  }
  return out;
}

void DecodeRow(const uint8_t* table, int64_t r, int dim, cuda::Dtype dtype, double* out) {
  const uint8_t* row = table + r * cuda::RowBytes(dtype, dim);
  switch (dtype) {
    case cuda::Dtype::kF32:
      for (int d = 0; d < dim; ++d) {
        float v;
        std::memcpy(&v, row + 4 * d, 4);
        out[d] = v;
      }
      break;
    case cuda::Dtype::kF16:
      for (int d = 0; d < dim; ++d) {
        uint16_t h;
        std::memcpy(&h, row + 2 * d, 2);
        out[d] = HalfToFloat(h);
      }
      break;
    case cuda::Dtype::kI8: {
      float scale, bias;
      std::memcpy(&scale, row + dim, 4);
      std::memcpy(&bias, row + dim + 4, 4);
      for (int d = 0; d < dim; ++d) out[d] = static_cast<double>(row[d]) * scale + bias;
      break;
    }
  }
}

}  // namespace recmesh::harness
