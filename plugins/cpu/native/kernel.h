// Gather-reduce (SparseLengthsSum, its weighted and mean forms) over fp32, fp16 and FBGEMM
// Fused8BitRowwise int8 rows. Plain C++; no Node headers here, so the kernel can be tested and
// timed on its own.
#pragma once

#include <cstddef>
#include <cstdint>

namespace recmesh {

enum class Dtype : int32_t { kF32 = 0, kF16 = 1, kI8 = 2 };

/** Bytes of one stored row: dim elements, plus a float32 scale and bias for int8. */
inline size_t RowBytes(Dtype dtype, int64_t dim) {
  switch (dtype) {
    case Dtype::kF32:
      return static_cast<size_t>(dim) * 4;
    case Dtype::kF16:
      return static_cast<size_t>(dim) * 2;
    case Dtype::kI8:
      return static_cast<size_t>(dim) + 8;
  }
  return 0;
}

struct TableView {
  const uint8_t* data;
  int64_t rows;
  int64_t dim;
  Dtype dtype;
};

/** EmbeddingBag's (indices, offsets) form: bag b is indices[offsets[b], offsets[b + 1]). */
struct BagsView {
  const int32_t* indices;
  int64_t n;
  const int32_t* offsets;
  int64_t bags;
  /** Per-index weights, or nullptr. */
  const float* weights;
  bool mean;
};

/** The first bad input the kernel met; it stops there and leaves `out` partly written. */
struct KernelError {
  const char* field = nullptr;
  int64_t position = 0;
  int64_t value = 0;
};

enum class Isa { kGeneric, kAvx2 };

/** The best instruction set this CPU runs (AVX2 + FMA + F16C, else generic). */
Isa DetectIsa();
const char* IsaName(Isa isa);

/**
 * Pools bags [b0, b1) of `bags` into out[b][0..dim). Checks every offset and index it reads
 * (never reads outside the table, the indices or the weights) and returns false with `error`
 * set at the first bad one.
 */
bool GatherReduce(Isa isa, const TableView& table, const BagsView& bags, int64_t b0, int64_t b1,
                  float* out, KernelError* error);

}  // namespace recmesh
