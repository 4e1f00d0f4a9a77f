// The DLRM dense graph on the GPU: fused GEMM + bias + activation layers, the feature interaction
// (concatenation or DLRM's pairwise dot products) and the top MLP's sigmoid, with the weights
// resident in device memory.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "status.h"

namespace recmesh::cuda {

enum class Activation : int { kNone = 0, kRelu = 1, kSigmoid = 2 };
enum class Interaction : int { kCat = 0, kDot = 1 };

/** y[m][n] = act(sum_k x[m][k] * w[n][k] + bias[n]): PyTorch's Linear, weights [out][in]. */
struct LinearArgs {
  const float* x = nullptr;
  const float* w = nullptr;
  const float* bias = nullptr;
  float* y = nullptr;
  int m = 0;  // batch
  int n = 0;  // outputs
  int k = 0;  // inputs
  Activation act = Activation::kNone;
};

/** Which register tiling LaunchLinear uses; kAuto picks by how many large tiles fill the GPU. */
enum class Tiles : int { kAuto = 0, kSmall = 1, kLarge = 2 };

Status LaunchLinear(const LinearArgs& args, cudaStream_t stream, Tiles tiles = Tiles::kAuto);

/** out[b] = [x[b] (x_width), emb[0][b] (dim), ..., emb[T-1][b]]; emb is [tables][batch][dim]. */
Status LaunchCatInteraction(const float* x, int x_width, const float* emb, int tables, int batch,
                            int dim, float* out, cudaStream_t stream);

/**
 * out[b] = [x[b], <z_i, z_j> for i in 1..T, j < i] with z = [x[b], emb[0][b], ..., emb[T-1][b]]
 * (DLRM's dot interaction without the self pairs, in the reference's order); x is [batch][dim].
 */
Status LaunchDotInteraction(const float* x, const float* emb, int tables, int batch, int dim,
                            float* out, cudaStream_t stream);

/** One layer: host memory when given to DenseModel::Create, device memory in the model. */
struct LayerSpec {
  int inputs = 0;
  int outputs = 0;
  Activation act = Activation::kRelu;
  const float* weight = nullptr;  // [outputs][inputs]
  const float* bias = nullptr;    // [outputs]
};

struct DenseSpec {
  int dense_features = 0;
  int tables = 0;
  int dim = 0;
  Interaction interaction = Interaction::kCat;
  std::vector<LayerSpec> bottom;
  std::vector<LayerSpec> top;
};

/** A dense graph whose weights live in device memory. */
class DenseModel {
 public:
  /** Checks the shapes (they must chain as buildDenseGraph builds them) and uploads the weights. */
  static Status Create(const DenseSpec& spec, int device, std::unique_ptr<DenseModel>* out);
  ~DenseModel();
  DenseModel(const DenseModel&) = delete;
  DenseModel& operator=(const DenseModel&) = delete;

  int dense_features() const { return spec_.dense_features; }
  int tables() const { return spec_.tables; }
  int dim() const { return spec_.dim; }
  int device() const { return device_; }
  size_t weight_bytes() const { return weight_bytes_; }

  /** Floats of scratch device memory Forward needs for `batch` samples. */
  size_t WorkspaceFloats(int batch) const;

  /**
   * Queues the forward pass on `stream`: dense [batch][dense_features] and emb
   * [tables][batch][dim] (device) to out [batch] (device); `workspace` holds WorkspaceFloats.
   */
  Status Forward(const float* dense, const float* emb, int batch, float* workspace, float* out,
                 cudaStream_t stream) const;

  /** The floating-point operations of one sample (2 per multiply-add). */
  double FlopsPerSample() const;

  /** Forces one tiling (the harness checks both against the reference). */
  void set_tiles(Tiles tiles) { tiles_ = tiles; }

 private:
  DenseModel() = default;

  int device_ = 0;
  /** The shapes, and the layers with their weights in device memory. */
  DenseSpec spec_;
  int interaction_width_ = 0;
  int widest_ = 0;
  size_t weight_bytes_ = 0;
  Tiles tiles_ = Tiles::kAuto;
  float* weights_ = nullptr;  // one allocation holding every layer's weight and bias
};

/** Width of the interaction's output for these shapes. */
int InteractionWidth(Interaction kind, int bottom_width, int tables, int dim);

}  // namespace recmesh::cuda
