// The CPU references the GPU kernels are checked against: naive loops in double precision.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../native/kernels/dense.h"
#include "../native/kernels/dtype.h"
#include "../native/kernels/runtime.h"
#include "host-data.h"

namespace recmesh::harness {

/**
 * Pools every bag of `bags` over an encoded table. `magnitude` receives sum |w * v| per output
 * element (scaled like the output), the scale a float accumulation error is relative to.
 */
void ReferenceGather(const uint8_t* table, int dim, cuda::Dtype dtype, const cuda::Bags& bags,
                     std::vector<double>* out, std::vector<double>* magnitude);

struct HostLayer {
  int inputs = 0;
  int outputs = 0;
  cuda::Activation act = cuda::Activation::kRelu;
  std::vector<float> weight;  // [outputs][inputs]
  std::vector<float> bias;
};

/** A DLRM dense graph in host memory. */
struct HostDense {
  std::string name;
  int dense_features = 0;
  int tables = 0;
  int dim = 0;
  cuda::Interaction interaction = cuda::Interaction::kCat;
  std::vector<HostLayer> bottom;
  std::vector<HostLayer> top;

  /** Bottom widths after the dense features, top widths after the interaction (last is 1). */
  static HostDense Random(const std::string& name, int dense_features,
                          const std::vector<int>& bottom, int tables, int dim,
                          cuda::Interaction interaction, const std::vector<int>& top, Rng& rng);
  /** The spec DenseModel::Create takes (pointing into this object's vectors). */
  cuda::DenseSpec Spec() const;
};

/** Scores in double: dense [batch][features], emb [tables][batch][dim]. */
void ReferenceForward(const HostDense& model, const float* dense, const float* emb, int batch,
                      std::vector<double>* out);

}  // namespace recmesh::harness
