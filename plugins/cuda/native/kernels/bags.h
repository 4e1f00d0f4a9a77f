// A batch of bags in EmbeddingBag's (indices, offsets) form, as @recmesh/backend's BagBatch.
#pragma once

#include <cstdint>

namespace recmesh::cuda {

/** The pointers are host or device memory, as the function taking it says. */
struct Bags {
  const int32_t* indices = nullptr;
  int64_t num_indices = 0;
  /** Start of each bag in `indices`; the last bag ends at num_indices. */
  const int32_t* offsets = nullptr;
  int64_t num_bags = 0;
  /** Per-index weights (weighted sum), or nullptr. */
  const float* weights = nullptr;
  /** Divide each bag by its length (an empty bag stays zero). */
  bool mean = false;
};

}  // namespace recmesh::cuda
