// Host-side test data: a seeded generator, binary16 conversion and FBGEMM row-wise quantisation,
// so that every dtype's table can be built from the same float rows.
#pragma once

#include <cstdint>
#include <vector>

#include "../native/kernels/dtype.h"

namespace recmesh::harness {

/** splitmix64: small, seeded, good enough for test data. */
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /** Uniform in [0, 1). */
  double Uniform() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  float Uniform(float lo, float hi) { return lo + static_cast<float>(Uniform()) * (hi - lo); }
  /** Uniform in [0, n). */
  int64_t Below(int64_t n) { return static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

uint16_t FloatToHalf(float f);
float HalfToFloat(uint16_t h);

/** A table of `rows` x `dim` as the contract's bytes of `dtype`, built from float rows. */
std::vector<uint8_t> EncodeTable(const std::vector<float>& rows_f32, int64_t rows, int dim,
                                 cuda::Dtype dtype);

/** Row r of an encoded table, decoded the way the contract defines each dtype. */
void DecodeRow(const uint8_t* table, int64_t r, int dim, cuda::Dtype dtype, double* out);

}  // namespace recmesh::harness
