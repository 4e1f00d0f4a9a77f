// Dense kernels: a tiled SGEMM with the bias and the activation fused into its epilogue (each
// thread accumulates a TM x TN tile in registers from BK-deep slices staged in shared memory),
// and the two DLRM interactions. FP32 throughout, like the CPU provider, so scores match it.
#include <algorithm>
#include <string>

#include "dense.h"

namespace recmesh::cuda {
namespace {

__device__ __forceinline__ float Activate(float v, Activation act) {
  switch (act) {
    case Activation::kRelu: return fmaxf(v, 0.f);
    case Activation::kSigmoid: return 1.f / (1.f + expf(-v));
    default: return v;
  }
}

template <int BM, int BN, int BK, int TM, int TN>
__global__ void __launch_bounds__((BM / TM) * (BN / TN)) LinearKernel(LinearArgs a) {
  constexpr int kThreads = (BM / TM) * (BN / TN);
  static_assert(TM % 4 == 0 && TN % 4 == 0, "fragments are read as float4");
  // +4 keeps rows 16-byte aligned and spreads the transposed stores over the banks.
  __shared__ __align__(16) float xs[BK][BM + 4];
  __shared__ __align__(16) float ws[BK][BN + 4];

  const int t = static_cast<int>(threadIdx.x);
  const int tx = t % (BN / TN);
  const int ty = t / (BN / TN);
  const int m0 = static_cast<int>(blockIdx.y) * BM;
  const int n0 = static_cast<int>(blockIdx.x) * BN;

  float acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;

  for (int k0 = 0; k0 < a.k; k0 += BK) {
    // Both operands are K-contiguous; consecutive threads read consecutive k of one row.
#pragma unroll
    for (int e = t; e < BM * BK; e += kThreads) {
      const int r = e / BK, kk = e % BK;
      const int m = m0 + r, k = k0 + kk;
      xs[kk][r] = m < a.m && k < a.k ? __ldg(a.x + static_cast<size_t>(m) * a.k + k) : 0.f;
    }
#pragma unroll
    for (int e = t; e < BN * BK; e += kThreads) {
      const int r = e / BK, kk = e % BK;
      const int n = n0 + r, k = k0 + kk;
      ws[kk][r] = n < a.n && k < a.k ? __ldg(a.w + static_cast<size_t>(n) * a.k + k) : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      float xa[TM], wb[TN];
#pragma unroll
      for (int i = 0; i < TM; i += 4) {
        const float4 v = *reinterpret_cast<const float4*>(&xs[kk][ty * TM + i]);
        xa[i] = v.x, xa[i + 1] = v.y, xa[i + 2] = v.z, xa[i + 3] = v.w;
      }
#pragma unroll
      for (int j = 0; j < TN; j += 4) {
        const float4 v = *reinterpret_cast<const float4*>(&ws[kk][tx * TN + j]);
        wb[j] = v.x, wb[j + 1] = v.y, wb[j + 2] = v.z, wb[j + 3] = v.w;
      }
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(xa[i], wb[j], acc[i][j]);
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int m = m0 + ty * TM + i;
    if (m >= a.m) continue;
#pragma unroll
    for (int j = 0; j < TN; ++j) {
      const int n = n0 + tx * TN + j;
      if (n < a.n)
        a.y[static_cast<size_t>(m) * a.n + n] = Activate(acc[i][j] + __ldg(a.bias + n), a.act);
    }
  }
}

template <int BM, int BN, int BK, int TM, int TN>
Status LaunchTiled(const LinearArgs& a, cudaStream_t stream) {
  const dim3 grid((a.n + BN - 1) / BN, (a.m + BM - 1) / BM);
  if (grid.y > 65535u)
    return Status::Invalid("linear: batch " + std::to_string(a.m) + " is too large for one launch");
  void (*kernel)(LinearArgs) = LinearKernel<BM, BN, BK, TM, TN>;
  RM_LAUNCH_KERNEL(kernel, grid, (BM / TM) * (BN / TN), stream, a);
  return Status();
}

__global__ void CatKernel(const float* x, int x_width, const float* emb, int tables, int batch,
                          int dim, float* out) {
  const int width = x_width + tables * dim;
  const int64_t total = static_cast<int64_t>(batch) * width;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int b = static_cast<int>(e / width);
    const int c = static_cast<int>(e % width);
    if (c < x_width) {
      out[e] = x[static_cast<int64_t>(b) * x_width + c];
    } else {
      const int t = (c - x_width) / dim, j = (c - x_width) % dim;
      out[e] = emb[(static_cast<int64_t>(t) * batch + b) * dim + j];
    }
  }
}

__device__ __forceinline__ const float* DotVector(const float* x, const float* emb, int v, int b,
                                                  int batch, int dim) {
  return v == 0 ? x + static_cast<int64_t>(b) * dim
                : emb + (static_cast<int64_t>(v - 1) * batch + b) * dim;
}

__global__ void DotKernel(const float* x, const float* emb, int tables, int batch, int dim,
                          float* out) {
  const int pairs = (tables + 1) * tables / 2;
  const int width = dim + pairs;
  const int64_t total = static_cast<int64_t>(batch) * width;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int b = static_cast<int>(e / width);
    const int c = static_cast<int>(e % width);
    if (c < dim) {
      out[e] = x[static_cast<int64_t>(b) * dim + c];
      continue;
    }
    // Pair p = i (i - 1) / 2 + j with j < i, i outer: invert the triangular number.
    const int p = c - dim;
    int i = static_cast<int>((1.f + sqrtf(1.f + 8.f * static_cast<float>(p))) * 0.5f);
    while (i * (i - 1) / 2 > p) --i;
    while ((i + 1) * i / 2 <= p) ++i;
    const int j = p - i * (i - 1) / 2;
    const float* zi = DotVector(x, emb, i, b, batch, dim);
    const float* zj = DotVector(x, emb, j, b, batch, dim);
    float s = 0.f;
    for (int d = 0; d < dim; ++d) s = fmaf(zi[d], zj[d], s);
    out[e] = s;
  }
}

unsigned GridFor(int64_t total, int block) {
  return static_cast<unsigned>(
      std::max<int64_t>(1, std::min<int64_t>((total + block - 1) / block, 1 << 20)));
}

}  // namespace

Status LaunchLinear(const LinearArgs& a, cudaStream_t stream, Tiles tiles) {
  if (a.m < 0 || a.n < 1 || a.k < 1)
    return Status::Invalid("linear: shape " + std::to_string(a.m) + " x " + std::to_string(a.k) +
                           " -> " + std::to_string(a.n) + " is not valid");
  if (a.m == 0) return Status();
  if (tiles == Tiles::kLarge) return LaunchTiled<128, 128, 8, 8, 8>(a, stream);
  if (tiles == Tiles::kSmall) return LaunchTiled<64, 64, 8, 4, 4>(a, stream);
  int device = 0, sms = 0;
  RM_CUDA_TRY(cudaGetDevice(&device));
  RM_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  // 128 x 128 tiles (8 x 8 per thread) when they fill the GPU, else 64 x 64 (4 x 4 per thread) so
  // that narrow layers and small batches still occupy every SM.
  const int64_t big_tiles = static_cast<int64_t>((a.m + 127) / 128) * ((a.n + 127) / 128);
  if (big_tiles >= sms) return LaunchTiled<128, 128, 8, 8, 8>(a, stream);
  return LaunchTiled<64, 64, 8, 4, 4>(a, stream);
}

Status LaunchCatInteraction(const float* x, int x_width, const float* emb, int tables, int batch,
                            int dim, float* out, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(batch) * (x_width + tables * dim);
  if (total == 0) return Status();
  RM_LAUNCH_KERNEL(CatKernel, GridFor(total, 256), 256, stream, x, x_width, emb, tables, batch, dim,
                   out);
  return Status();
}

Status LaunchDotInteraction(const float* x, const float* emb, int tables, int batch, int dim,
                            float* out, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(batch) * (dim + (tables + 1) * tables / 2);
  if (total == 0) return Status();
  RM_LAUNCH_KERNEL(DotKernel, GridFor(total, 256), 256, stream, x, emb, tables, batch, dim, out);
  return Status();
}

int InteractionWidth(Interaction kind, int bottom_width, int tables, int dim) {
  return kind == Interaction::kCat ? bottom_width + tables * dim : dim + (tables + 1) * tables / 2;
}

Status DenseModel::Create(const DenseSpec& spec, int device, std::unique_ptr<DenseModel>* out) {
  auto fail = [](const std::string& why) { return Status::Invalid("dense graph: " + why); };
  if (spec.dense_features < 1 || spec.tables < 0 || spec.dim < 1)
    return fail("dense features, tables and dim must be positive");
  if (spec.top.empty()) return fail("the top MLP has no layers");
  int width = spec.dense_features;
  size_t floats = 0;
  auto chain = [&](const std::vector<LayerSpec>& layers, const char* name) -> Status {
    for (size_t l = 0; l < layers.size(); ++l) {
      const LayerSpec& s = layers[l];
      if (s.inputs != width)
        return fail(std::string(name) + "." + std::to_string(l) + " takes " +
                    std::to_string(s.inputs) + " inputs, but " + std::to_string(width) +
                    " come in");
      if (s.outputs < 1)
        return fail(std::string(name) + "." + std::to_string(l) + " has no outputs");
      if (s.weight == nullptr || s.bias == nullptr)
        return fail(std::string(name) + "." + std::to_string(l) + " has no weights");
      floats += static_cast<size_t>(s.inputs) * s.outputs + s.outputs;
      width = s.outputs;
    }
    return Status();
  };
  RM_TRY(chain(spec.bottom, "bottom"));
  const int bottom_width = width;
  if (spec.interaction == Interaction::kDot && bottom_width != spec.dim)
    return fail("the dot interaction needs the bottom MLP to end at dim " +
                std::to_string(spec.dim) + ", not " + std::to_string(bottom_width));
  width = InteractionWidth(spec.interaction, bottom_width, spec.tables, spec.dim);
  const int interaction_width = width;
  RM_TRY(chain(spec.top, "top"));
  if (width != 1) return fail("the top MLP must end in 1 output, not " + std::to_string(width));

  std::unique_ptr<DenseModel> model(new DenseModel());
  model->device_ = device;
  model->spec_ = spec;
  model->spec_.bottom.clear();
  model->spec_.top.clear();
  model->interaction_width_ = interaction_width;
  model->widest_ = interaction_width;
  model->weight_bytes_ = floats * sizeof(float);
  RM_CUDA_TRY(cudaSetDevice(device));
  RM_CUDA_TRY(cudaMalloc(&model->weights_, model->weight_bytes_));
  float* next = model->weights_;
  auto upload = [&](const std::vector<LayerSpec>& layers, std::vector<LayerSpec>* into) -> Status {
    for (const LayerSpec& s : layers) {
      const size_t w = static_cast<size_t>(s.inputs) * s.outputs;
      RM_CUDA_TRY(cudaMemcpy(next, s.weight, w * sizeof(float), cudaMemcpyHostToDevice));
      RM_CUDA_TRY(cudaMemcpy(next + w, s.bias, s.outputs * sizeof(float), cudaMemcpyHostToDevice));
      into->push_back({s.inputs, s.outputs, s.act, next, next + w});
      next += w + s.outputs;
      model->widest_ = std::max(model->widest_, s.outputs);
    }
    return Status();
  };
  RM_TRY(upload(spec.bottom, &model->spec_.bottom));
  RM_TRY(upload(spec.top, &model->spec_.top));
  *out = std::move(model);
  return Status();
}

DenseModel::~DenseModel() {
  // Nothing to report to from a destructor: a failing cudaFree means the context is already lost.
  if (weights_ != nullptr && cudaSetDevice(device_) == cudaSuccess)
    static_cast<void>(cudaFree(weights_));
}

size_t DenseModel::WorkspaceFloats(int batch) const {
  return 2 * static_cast<size_t>(batch) * widest_;
}

double DenseModel::FlopsPerSample() const {
  double flops = 0;
  for (const LayerSpec& l : spec_.bottom) flops += 2.0 * l.inputs * l.outputs;
  for (const LayerSpec& l : spec_.top) flops += 2.0 * l.inputs * l.outputs;
  if (spec_.interaction == Interaction::kDot)
    flops += 2.0 * spec_.dim * (spec_.tables + 1) * spec_.tables / 2;
  return flops;
}

Status DenseModel::Forward(const float* dense, const float* emb, int batch, float* workspace,
                           float* out, cudaStream_t stream) const {
  if (batch < 0) return Status::Invalid("dense graph: negative batch");
  if (batch == 0) return Status();
  float* ping = workspace;
  float* pong = workspace + static_cast<size_t>(batch) * widest_;
  const float* x = dense;
  int width = spec_.dense_features;
  for (const LayerSpec& l : spec_.bottom) {
    float* y = x == ping ? pong : ping;
    RM_TRY(
        LaunchLinear({x, l.weight, l.bias, y, batch, l.outputs, l.inputs, l.act}, stream, tiles_));
    x = y;
    width = l.outputs;
  }
  float* z = x == ping ? pong : ping;
  if (spec_.interaction == Interaction::kCat)
    RM_TRY(LaunchCatInteraction(x, width, emb, spec_.tables, batch, spec_.dim, z, stream));
  else
    RM_TRY(LaunchDotInteraction(x, emb, spec_.tables, batch, spec_.dim, z, stream));
  x = z;
  for (size_t i = 0; i < spec_.top.size(); ++i) {
    const LayerSpec& l = spec_.top[i];
    // The last layer has one output: [batch][1] is the score vector itself.
    float* y = i + 1 == spec_.top.size() ? out : (x == ping ? pong : ping);
    RM_TRY(
        LaunchLinear({x, l.weight, l.bias, y, batch, l.outputs, l.inputs, l.act}, stream, tiles_));
    x = y;
  }
  return Status();
}

}  // namespace recmesh::cuda
