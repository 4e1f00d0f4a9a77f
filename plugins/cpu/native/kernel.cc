// The gather-reduce kernels. One translation unit, compiled for the baseline ISA; the AVX2 paths
// carry __attribute__((target(...))) and run only where DetectIsa() found AVX2, FMA and F16C, so
// the addon loads and runs (generic path) on any x86-64 or non-x86 CPU.
#include "kernel.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#define RECMESH_X86 1
#include <immintrin.h>
#endif

namespace recmesh {
namespace {

// How far ahead rows are prefetched, in bytes of rows: random rows come from DRAM (~100 ns away)
// and one core adds a 256-byte row every ~7 ns, so tens of rows must be in flight. Measured on the
// bench shape (1M x 64 fp32, 1024 bags x 80, one thread): 4 rows 60M lookups/s, 8 rows 76M,
// 16 rows 105M, 32 rows 130-138M, 48-64 rows within noise of 32. 8 KiB (32 rows of 256 bytes),
// clamped to 8..64 rows for narrow and wide rows.
constexpr size_t kPrefetchBytes = 8192;

inline int64_t PrefetchRows(size_t row_bytes) {
  const int64_t rows = static_cast<int64_t>(kPrefetchBytes / (row_bytes == 0 ? 1 : row_bytes));
  return rows < 8 ? 8 : rows > 64 ? 64 : rows;
}

inline bool BagRange(const BagsView& b, int64_t bag, int64_t* start, int64_t* end,
                     KernelError* error) {
  const int64_t s = b.offsets[bag];
  const int64_t e = bag + 1 < b.bags ? b.offsets[bag + 1] : b.n;
  if (s < 0 || s > b.n) {
    error->field = "offsets";
    error->position = bag;
    error->value = s;
    return false;
  }
  if (e < s || e > b.n) {  // only a next offset can be at fault here: the last bag ends at n
    error->field = "offsets";
    error->position = bag + 1;
    error->value = e;
    return false;
  }
  *start = s;
  *end = e;
  return true;
}

inline bool RowOf(const TableView& t, const BagsView& b, int64_t i, int64_t* row,
                  KernelError* error) {
  const int64_t r = b.indices[i];
  if (r < 0 || r >= t.rows) {
    error->field = "indices";
    error->position = i;
    error->value = r;
    return false;
  }
  *row = r;
  return true;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf, NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;  // +-0
  } else {
    // Subnormal: normalise the mantissa.
    exp = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// An int8 row's float32 scale and bias, stored after its codes (maybe unaligned).
inline void ScaleBias(const uint8_t* row, int64_t dim, float* scale, float* bias) {
  std::memcpy(scale, row + dim, 4);
  std::memcpy(bias, row + dim + 4, 4);
}

// The end of a bag accumulated in `o`: int8's summed biases added, then the mean taken.
inline void FinishBag(float* o, int64_t dim, float bias_sum, bool mean, int64_t count) {
  if (bias_sum != 0.f)
    for (int64_t d = 0; d < dim; ++d) o[d] += bias_sum;
  if (mean && count > 0) {
    const float inv = 1.f / static_cast<float>(count);
    for (int64_t d = 0; d < dim; ++d) o[d] *= inv;
  }
}

// Generic path: accumulate straight into the output row (the compiler vectorises the fp32 loop).
bool GatherGeneric(const TableView& t, const BagsView& b, int64_t b0, int64_t b1, float* out,
                   KernelError* error) {
  const int64_t dim = t.dim;
  const size_t row_bytes = RowBytes(t.dtype, dim);
  const int64_t distance = PrefetchRows(row_bytes);
  for (int64_t bag = b0; bag < b1; ++bag) {
    int64_t s, e;
    if (!BagRange(b, bag, &s, &e, error)) return false;
    float* o = out + bag * dim;
    for (int64_t d = 0; d < dim; ++d) o[d] = 0.f;
    float bias_sum = 0.f;
    for (int64_t i = s; i < e; ++i) {
      // Written in the loop, not in a helper: see RECMESH_PREFETCH.
      if (i + distance < b.n) {
        const int64_t p = b.indices[i + distance];
        if (p >= 0 && p < t.rows) {
          const uint8_t* ahead = t.data + static_cast<size_t>(p) * row_bytes;
          for (size_t off = 0; off < row_bytes; off += 64) __builtin_prefetch(ahead + off, 0, 3);
        }
      }
      int64_t r;
      if (!RowOf(t, b, i, &r, error)) return false;
      const float w = b.weights != nullptr ? b.weights[i] : 1.f;
      const uint8_t* row = t.data + static_cast<size_t>(r) * row_bytes;
      switch (t.dtype) {
        case Dtype::kF32: {
          const float* x = reinterpret_cast<const float*>(row);
          for (int64_t d = 0; d < dim; ++d) o[d] += w * x[d];
          break;
        }
        case Dtype::kF16: {
          const uint16_t* x = reinterpret_cast<const uint16_t*>(row);
          for (int64_t d = 0; d < dim; ++d) o[d] += w * HalfToFloat(x[d]);
          break;
        }
        case Dtype::kI8: {
          float scale, bias;
          ScaleBias(row, dim, &scale, &bias);
          const float ws = w * scale;
          for (int64_t d = 0; d < dim; ++d) o[d] += ws * static_cast<float>(row[d]);
          bias_sum += w * bias;
          break;
        }
      }
    }
    FinishBag(o, dim, bias_sum, b.mean, e - s);
  }
  return true;
}

#ifdef RECMESH_X86

#define RECMESH_AVX2 __attribute__((target("avx2,fma,f16c")))
// GCC's IPA pass deems a function whose only effect is a prefetch "pure" and deletes calls to it;
// forcing it inline keeps the prefetch instructions in the loop.
#define RECMESH_PREFETCH __attribute__((target("avx2,fma,f16c"), always_inline))

RECMESH_PREFETCH inline void PrefetchRow(const uint8_t* row, size_t row_bytes) {
  for (size_t off = 0; off < row_bytes; off += 64)
    _mm_prefetch(reinterpret_cast<const char*>(row + off), _MM_HINT_T0);
  // An unaligned row can end in one more line.
  _mm_prefetch(reinterpret_cast<const char*>(row + row_bytes - 1), _MM_HINT_T0);
}

RECMESH_PREFETCH inline void PrefetchAhead(const TableView& t, const BagsView& b, int64_t i,
                                           int64_t distance, size_t row_bytes) {
  const int64_t p = i + distance;
  if (p < b.n) {
    const int64_t r = b.indices[p];
    // Out-of-range ids are reported when they are reached; never prefetched (harmless, but odd).
    if (r >= 0 && r < t.rows) PrefetchRow(t.data + static_cast<size_t>(r) * row_bytes, row_bytes);
  }
}

// Eight elements of a row as floats (codes for int8: scale and bias are applied by the caller).
template <Dtype D>
RECMESH_AVX2 inline __m256 Load8(const uint8_t* row, int64_t k) {
  if constexpr (D == Dtype::kF32) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + 8 * k);
  } else if constexpr (D == Dtype::kF16) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16 * k)));
  } else {
    const __m128i codes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + 8 * k));
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(codes));
  }
}

// dim = 8 * NB: the bag's sum lives in NB registers; rows are added without touching `out`.
template <Dtype D, int NB, bool kWeighted>
RECMESH_AVX2 bool GatherAvx2Regs(const TableView& t, const BagsView& b, int64_t b0, int64_t b1,
                                 float* out, KernelError* error) {
  constexpr int64_t dim = 8 * NB;
  const size_t row_bytes = RowBytes(D, dim);
  const int64_t distance = PrefetchRows(row_bytes);
  for (int64_t bag = b0; bag < b1; ++bag) {
    int64_t s, e;
    if (!BagRange(b, bag, &s, &e, error)) return false;
    __m256 acc[NB];
    for (int k = 0; k < NB; ++k) acc[k] = _mm256_setzero_ps();
    float bias_sum = 0.f;
    for (int64_t i = s; i < e; ++i) {
      PrefetchAhead(t, b, i, distance, row_bytes);
      int64_t r;
      if (!RowOf(t, b, i, &r, error)) return false;
      const uint8_t* row = t.data + static_cast<size_t>(r) * row_bytes;
      if constexpr (D == Dtype::kI8) {
        float scale, bias;
        ScaleBias(row, dim, &scale, &bias);
        const float w = kWeighted ? b.weights[i] : 1.f;
        const __m256 ws = _mm256_set1_ps(w * scale);
        bias_sum += w * bias;
        for (int k = 0; k < NB; ++k) acc[k] = _mm256_fmadd_ps(Load8<D>(row, k), ws, acc[k]);
      } else if constexpr (kWeighted) {
        const __m256 w = _mm256_set1_ps(b.weights[i]);
        for (int k = 0; k < NB; ++k) acc[k] = _mm256_fmadd_ps(Load8<D>(row, k), w, acc[k]);
      } else {
        for (int k = 0; k < NB; ++k) acc[k] = _mm256_add_ps(acc[k], Load8<D>(row, k));
      }
    }
    if constexpr (D == Dtype::kI8) {
      const __m256 bs = _mm256_set1_ps(bias_sum);
      for (int k = 0; k < NB; ++k) acc[k] = _mm256_add_ps(acc[k], bs);
    }
    if (b.mean && e > s) {
      const __m256 inv = _mm256_set1_ps(1.f / static_cast<float>(e - s));
      for (int k = 0; k < NB; ++k) acc[k] = _mm256_mul_ps(acc[k], inv);
    }
    float* o = out + bag * dim;
    for (int k = 0; k < NB; ++k) _mm256_storeu_ps(o + 8 * k, acc[k]);
  }
  return true;
}

// Any dim: 8-wide blocks accumulate in the output row, the tail (dim % 8) in scalar code.
template <Dtype D>
RECMESH_AVX2 bool GatherAvx2Any(const TableView& t, const BagsView& b, int64_t b0, int64_t b1,
                                float* out, KernelError* error) {
  const int64_t dim = t.dim;
  const int64_t blocks = dim / 8;
  const size_t row_bytes = RowBytes(D, dim);
  const int64_t distance = PrefetchRows(row_bytes);
  for (int64_t bag = b0; bag < b1; ++bag) {
    int64_t s, e;
    if (!BagRange(b, bag, &s, &e, error)) return false;
    float* o = out + bag * dim;
    for (int64_t d = 0; d < dim; ++d) o[d] = 0.f;
    float bias_sum = 0.f;
    for (int64_t i = s; i < e; ++i) {
      PrefetchAhead(t, b, i, distance, row_bytes);
      int64_t r;
      if (!RowOf(t, b, i, &r, error)) return false;
      const uint8_t* row = t.data + static_cast<size_t>(r) * row_bytes;
      float w = b.weights != nullptr ? b.weights[i] : 1.f;
      if constexpr (D == Dtype::kI8) {
        float scale, bias;
        ScaleBias(row, dim, &scale, &bias);
        bias_sum += w * bias;
        w *= scale;
      }
      const __m256 wv = _mm256_set1_ps(w);
      for (int64_t k = 0; k < blocks; ++k)
        _mm256_storeu_ps(o + 8 * k,
                         _mm256_fmadd_ps(Load8<D>(row, k), wv, _mm256_loadu_ps(o + 8 * k)));
      for (int64_t d = 8 * blocks; d < dim; ++d) {
        float x;
        if constexpr (D == Dtype::kF32) {
          x = reinterpret_cast<const float*>(row)[d];
        } else if constexpr (D == Dtype::kF16) {
          x = HalfToFloat(reinterpret_cast<const uint16_t*>(row)[d]);
        } else {
          x = static_cast<float>(row[d]);
        }
        o[d] += w * x;
      }
    }
    FinishBag(o, dim, bias_sum, b.mean, e - s);
  }
  return true;
}

using Kernel = bool (*)(const TableView&, const BagsView&, int64_t, int64_t, float*,
                        KernelError*);

template <Dtype D, int NB>
Kernel RegsKernel(bool weighted) {
  return weighted ? &GatherAvx2Regs<D, NB, true> : &GatherAvx2Regs<D, NB, false>;
}

// Register-resident sums for the usual embedding widths (8..128 in steps of 8 covers DLRM's 4..128
// presets that are multiples of 8); any other width takes the row-accumulating path.
template <Dtype D>
Kernel PickAvx2(int64_t dim, bool weighted) {
  if (dim % 8 == 0) {
    switch (dim / 8) {
      case 1: return RegsKernel<D, 1>(weighted);
      case 2: return RegsKernel<D, 2>(weighted);
      case 3: return RegsKernel<D, 3>(weighted);
      case 4: return RegsKernel<D, 4>(weighted);
      case 6: return RegsKernel<D, 6>(weighted);
      case 8: return RegsKernel<D, 8>(weighted);
      case 12: return RegsKernel<D, 12>(weighted);
      case 16: return RegsKernel<D, 16>(weighted);
      default: break;
    }
  }
  return &GatherAvx2Any<D>;
}

#endif  // RECMESH_X86

}  // namespace

Isa DetectIsa() {
#ifdef RECMESH_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("f16c"))
    return Isa::kAvx2;
#endif
  return Isa::kGeneric;
}

const char* IsaName(Isa isa) { return isa == Isa::kAvx2 ? "avx2" : "generic"; }

bool GatherReduce(Isa isa, const TableView& table, const BagsView& bags, int64_t b0, int64_t b1,
                  float* out, KernelError* error) {
#ifdef RECMESH_X86
  if (isa == Isa::kAvx2) {
    const bool weighted = bags.weights != nullptr;
    Kernel k = nullptr;
    switch (table.dtype) {
      case Dtype::kF32: k = PickAvx2<Dtype::kF32>(table.dim, weighted); break;
      case Dtype::kF16: k = PickAvx2<Dtype::kF16>(table.dim, weighted); break;
      case Dtype::kI8: k = PickAvx2<Dtype::kI8>(table.dim, weighted); break;
    }
    return k(table, bags, b0, b1, out, error);
  }
#endif
  (void)isa;
  return GatherGeneric(table, bags, b0, b1, out, error);
}

}  // namespace recmesh
