#include "parity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "../native/kernels/gather-reduce.h"
#include "device-buffer.h"
#include "reference.h"

namespace recmesh::harness {
namespace {

using cuda::Dtype;
using cuda::Status;

struct Bags {
  std::vector<int32_t> indices;
  std::vector<int32_t> offsets;
  std::vector<float> weights;
  cuda::Bags View(bool weighted, bool mean) const {
    cuda::Bags b;
    b.indices = indices.data();
    b.num_indices = static_cast<int64_t>(indices.size());
    b.offsets = offsets.data();
    b.num_bags = static_cast<int64_t>(offsets.size());
    b.weights = weighted ? weights.data() : nullptr;
    b.mean = mean;
    return b;
  }
};

/** Bags of 0 to 40 indices (about one in ten empty), indices repeating, weights in [-2, 2]. */
Bags RandomBags(int64_t rows, int bags, Rng& rng) {
  Bags out;
  for (int b = 0; b < bags; ++b) {
    out.offsets.push_back(static_cast<int32_t>(out.indices.size()));
    const int length = rng.Below(10) == 0 ? 0 : static_cast<int>(1 + rng.Below(40));
    for (int i = 0; i < length; ++i) {
      out.indices.push_back(static_cast<int32_t>(rng.Below(rows)));
      out.weights.push_back(rng.Uniform(-2.0f, 2.0f));
    }
  }
  return out;
}

struct Comparison {
  double max_abs = 0;
  double worst_ratio = 0;  // error / tolerance; passes below 1
};

/** Float accumulation of n terms errs by about n * 2^-24 of the terms' magnitude; 1e-5 covers 40+.
 */
Comparison Compare(const std::vector<float>& got, const std::vector<double>& want,
                   const std::vector<double>& magnitude, double relative, double absolute) {
  Comparison c;
  for (size_t i = 0; i < want.size(); ++i) {
    const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    const double tol =
        relative * (magnitude.empty() ? std::fabs(want[i]) : magnitude[i]) + absolute;
    c.max_abs = std::max(c.max_abs, std::isnan(err) ? INFINITY : err);
    c.worst_ratio = std::max(c.worst_ratio, std::isnan(err) ? INFINITY : err / tol);
  }
  return c;
}

/** The kernel alone, on device arrays. */
Status GatherDirect(const cuda::DeviceTable& table, const cuda::Bags& bags,
                    std::vector<float>* out) {
  DeviceBuffer indices, offsets, weights, result, fault;
  RM_TRY(indices.Upload(bags.indices, bags.num_indices * sizeof(int32_t)));
  RM_TRY(offsets.Upload(bags.offsets, bags.num_bags * sizeof(int32_t)));
  if (bags.weights != nullptr)
    RM_TRY(weights.Upload(bags.weights, bags.num_indices * sizeof(float)));
  RM_TRY(result.Allocate(bags.num_bags * table.dim() * sizeof(float)));
  RM_TRY(fault.Allocate(sizeof(cuda::GatherFault)));
  RM_TRY(cuda::ResetFault(fault.as<cuda::GatherFault>(), nullptr));
  cuda::GatherArgs a;
  a.table = table.data();
  a.rows = table.rows();
  a.dim = table.dim();
  a.dtype = table.dtype();
  a.bags.indices = indices.as<int32_t>();
  a.bags.num_indices = bags.num_indices;
  a.bags.offsets = offsets.as<int32_t>();
  a.bags.num_bags = bags.num_bags;
  a.bags.weights = bags.weights != nullptr ? weights.as<float>() : nullptr;
  a.bags.mean = bags.mean;
  a.out = result.as<float>();
  a.fault = fault.as<cuda::GatherFault>();
  RM_TRY(cuda::LaunchGatherReduce(a, nullptr));
  RM_CUDA_TRY(cudaDeviceSynchronize());
  cuda::GatherFault seen{};
  RM_CUDA_TRY(cudaMemcpy(&seen, fault.as<void>(), sizeof seen, cudaMemcpyDeviceToHost));
  if (seen.index != cuda::kNoFault || seen.bag != cuda::kNoFault)
    return Status::Invalid("the kernel reported a fault on valid input");
  out->resize(bags.num_bags * table.dim());
  RM_CUDA_TRY(cudaMemcpy(out->data(), result.as<void>(), out->size() * sizeof(float),
                         cudaMemcpyDeviceToHost));
  return Status();
}

/** Through lanes, in three parts (offsets rebased per part), as the addon runs it. */
Status GatherLanes(cuda::LanePool& pool, const cuda::DeviceTable& table, const cuda::Bags& bags,
                   std::vector<float>* out) {
  out->assign(bags.num_bags * table.dim(), NAN);
  const int64_t cut[] = {0, bags.num_bags / 3, 2 * bags.num_bags / 3, bags.num_bags};
  for (int p = 0; p < 3; ++p) {
    cuda::LaneLease lane(pool);
    RM_TRY(cuda::GatherThroughLane(*lane, table, bags, cut[p], cut[p + 1],
                                   out->data() + cut[p] * table.dim()));
  }
  return Status();
}

/** The dense graph alone, on device arrays. */
Status ForwardDirect(const cuda::DenseModel& model, const std::vector<float>& dense,
                     const std::vector<float>& emb, int batch, std::vector<float>* out) {
  DeviceBuffer d_dense, d_emb, d_work, d_out;
  RM_TRY(d_dense.Upload(dense.data(), dense.size() * sizeof(float)));
  RM_TRY(d_emb.Upload(emb.data(), emb.size() * sizeof(float)));
  RM_TRY(d_work.Allocate(model.WorkspaceFloats(batch) * sizeof(float)));
  RM_TRY(d_out.Allocate(batch * sizeof(float)));
  RM_TRY(model.Forward(d_dense.as<float>(), d_emb.as<float>(), batch, d_work.as<float>(),
                       d_out.as<float>(), nullptr));
  RM_CUDA_TRY(cudaDeviceSynchronize());
  RM_CUDA_TRY(
      cudaMemcpy(out->data(), d_out.as<void>(), batch * sizeof(float), cudaMemcpyDeviceToHost));
  return Status();
}

}  // namespace

bool GatherParity(cuda::LanePool& pool, JsonWriter& json) {
  bool all = true;
  json.BeginArray("gather");
  Rng rng(20240601);
  const int64_t rows = 1000;
  // 1 and 3: scalar loads; 32, 64: one chunk, 4 and 2 rows per warp step; 130: scalar, 8
  // chunks; 520: vector, 8 chunks (dim 1024 is the largest the kernel takes).
  for (const int dim : {1, 3, 32, 64, 130, 520}) {
    std::vector<float> values(static_cast<size_t>(rows) * dim);
    for (float& v : values) v = rng.Uniform(-1.0f, 1.0f);
    const Bags bags = RandomBags(rows, 257, rng);
    for (const Dtype dtype : {Dtype::kF32, Dtype::kF16, Dtype::kI8}) {
      const std::vector<uint8_t> encoded = EncodeTable(values, rows, dim, dtype);
      std::shared_ptr<cuda::DeviceTable> table;
      Status s = cuda::DeviceTable::Create(pool.device(), encoded.data(), rows, dim, dtype, &table);
      for (const bool mean : {false, true}) {
        for (const bool weighted : {false, true}) {
          const cuda::Bags view = bags.View(weighted, mean);
          std::vector<double> want, magnitude;
          ReferenceGather(encoded.data(), dim, dtype, view, &want, &magnitude);
          for (const char* path : {"kernel", "lanes"}) {
            std::vector<float> got;
            if (s.ok())
              s = std::string(path) == "kernel" ? GatherDirect(*table, view, &got)
                                                : GatherLanes(pool, *table, view, &got);
            const Comparison c = s.ok() ? Compare(got, want, magnitude, 1e-5, 1e-6) : Comparison{};
            const bool pass = s.ok() && c.worst_ratio < 1.0;
            all = all && pass;
            json.BeginObject()
                .Field("dtype", cuda::DtypeName(dtype))
                .Field("mode", mean ? "mean" : "sum")
                .Field("weighted", weighted)
                .Field("dim", dim)
                .Field("bags", view.num_bags)
                .Field("indices", view.num_indices)
                .Field("path", path)
                .Field("maxAbsError", c.max_abs)
                .Field("errorOverTolerance", c.worst_ratio)
                .Field("pass", pass);
            if (!s.ok()) json.Field("error", s.message());
            json.EndObject();
            if (!pass)
              std::fprintf(stderr, "parity FAILED: gather %s %s%s dim %d via %s: %s\n",
                           cuda::DtypeName(dtype), weighted ? "weighted " : "",
                           mean ? "mean" : "sum", dim, path,
                           s.ok() ? "values differ" : s.message().c_str());
          }
        }
      }
    }
  }
  json.EndArray();
  return all;
}

bool FaultChecks(cuda::LanePool& pool, JsonWriter& json) {
  bool all = true;
  json.BeginArray("faults");
  Rng rng(7);
  const int64_t rows = 100;
  const int dim = 16;
  std::vector<float> values(rows * dim);
  for (float& v : values) v = rng.Uniform(-1.0f, 1.0f);
  std::shared_ptr<cuda::DeviceTable> table;
  Status made =
      cuda::DeviceTable::Create(pool.device(), values.data(), rows, dim, Dtype::kF32, &table);
  struct Case {
    const char* name;
    std::vector<int32_t> indices;
    std::vector<int32_t> offsets;
    std::string expect;  // in the message
  };
  const std::vector<Case> cases = {
      {"index past the last row", {1, 2, 100, 3}, {0, 2}, "indices[2] = 100"},
      {"negative index", {1, -5, 2}, {0}, "indices[1] = -5"},
      {"offsets that decrease", {1, 2, 3, 4, 5, 6}, {0, 4, 2, 5}, "bag 1 spans offsets [4, 2)"},
  };
  for (const Case& c : cases) {
    Status s = made;
    std::string message;
    if (s.ok()) {
      cuda::Bags bags;
      bags.indices = c.indices.data();
      bags.num_indices = static_cast<int64_t>(c.indices.size());
      bags.offsets = c.offsets.data();
      bags.num_bags = static_cast<int64_t>(c.offsets.size());
      std::vector<float> out(bags.num_bags * dim);
      cuda::LaneLease lane(pool);
      const Status refused =
          cuda::GatherThroughLane(*lane, *table, bags, 0, bags.num_bags, out.data());
      message = refused.message();
      if (refused.ok())
        s = Status::Invalid("bad input was accepted");
      else if (!refused.invalid())
        s = refused;  // a CUDA failure, not a refusal
    }
    const bool pass = s.ok() && message.find(c.expect) != std::string::npos;
    all = all && pass;
    json.BeginObject().Field("case", c.name).Field("message", message).Field("pass", pass);
    if (!s.ok()) json.Field("error", s.message());
    json.EndObject();
  }
  // The device is still usable afterwards (no sticky error): one valid lookup.
  std::vector<int32_t> indices = {3, 4}, offsets = {0};
  cuda::Bags ok;
  ok.indices = indices.data();
  ok.num_indices = 2;
  ok.offsets = offsets.data();
  ok.num_bags = 1;
  std::vector<float> out(dim);
  Status after = made;
  if (after.ok()) {
    cuda::LaneLease lane(pool);
    after = cuda::GatherThroughLane(*lane, *table, ok, 0, 1, out.data());
  }
  const bool usable = after.ok() && std::fabs(out[0] - (values[3 * dim] + values[4 * dim])) < 1e-6;
  all = all && usable;
  json.BeginObject().Field("case", "valid lookup after the refusals").Field("pass", usable);
  if (!after.ok()) json.Field("error", after.message());
  json.EndObject();
  json.EndArray();
  return all;
}

bool DenseParity(cuda::LanePool& pool, JsonWriter& json) {
  bool all = true;
  json.BeginArray("dense");
  Rng rng(99);
  struct Case {
    HostDense model;
    int batch;
    cuda::Tiles tiles;
    bool lanes;
  };
  using cuda::Interaction;
  using cuda::Tiles;
  const HostDense rmc1 =
      HostDense::Random("rmc1", 128, {64, 32}, 8, 32, Interaction::kCat, {256, 64, 1}, rng);
  const HostDense rmc3 = HostDense::Random("rmc3", 2560, {1024, 256, 32}, 10, 32, Interaction::kCat,
                                           {512, 256, 1}, rng);
  const HostDense dot =
      HostDense::Random("dlrm-dot", 13, {64, 16}, 5, 16, Interaction::kDot, {64, 1}, rng);
  const std::vector<Case> cases = {
      {rmc1, 200, Tiles::kAuto, false},  {rmc1, 200, Tiles::kAuto, true},
      {rmc1, 200, Tiles::kLarge, false}, {rmc3, 130, Tiles::kSmall, false},
      {rmc3, 130, Tiles::kLarge, false}, {dot, 77, Tiles::kSmall, false},
      {dot, 77, Tiles::kLarge, true},
  };
  for (const Case& c : cases) {
    const HostDense& m = c.model;
    std::vector<float> dense(static_cast<size_t>(c.batch) * m.dense_features);
    std::vector<float> emb(static_cast<size_t>(m.tables) * c.batch * m.dim);
    for (float& v : dense) v = rng.Uniform(0.0f, 1.0f);
    for (float& v : emb) v = rng.Uniform(-0.5f, 0.5f);
    std::vector<double> want;
    ReferenceForward(m, dense.data(), emb.data(), c.batch, &want);
    std::vector<float> got(c.batch, NAN);
    std::unique_ptr<cuda::DenseModel> model;
    Status s = cuda::DenseModel::Create(m.Spec(), pool.device(), &model);
    if (s.ok()) {
      model->set_tiles(c.tiles);
      if (c.lanes) {
        cuda::LaneLease lane(pool);
        s = cuda::ForwardThroughLane(*lane, *model, dense.data(), emb.data(), c.batch, got.data());
      } else {
        s = ForwardDirect(*model, dense, emb, c.batch, &got);
      }
    }
    // Scores are probabilities; fp32 against double over 2560-wide layers stays within 1e-5.
    const Comparison cmp = s.ok() ? Compare(got, want, {}, 1e-4, 2e-5) : Comparison{};
    const bool pass = s.ok() && cmp.worst_ratio < 1.0;
    all = all && pass;
    const char* tiles = c.tiles == Tiles::kAuto    ? "auto"
                        : c.tiles == Tiles::kSmall ? "64x64"
                                                   : "128x128";
    const auto [low, high] = std::minmax_element(want.begin(), want.end());
    json.BeginObject()
        .Field("model", m.name)
        .Field("interaction", m.interaction == Interaction::kCat ? "cat" : "dot")
        .Field("batch", c.batch)
        .Field("scoreMin", *low)
        .Field("scoreMax", *high)
        .Field("tiles", tiles)
        .Field("path", c.lanes ? "lanes" : "kernel")
        .Field("maxAbsError", cmp.max_abs)
        .Field("errorOverTolerance", cmp.worst_ratio)
        .Field("pass", pass);
    if (!s.ok()) json.Field("error", s.message());
    json.EndObject();
    if (!pass)
      std::fprintf(stderr, "parity FAILED: dense %s batch %d tiles %s: %s\n", m.name.c_str(),
                   c.batch, tiles, s.ok() ? "values differ" : s.message().c_str());
  }
  json.EndArray();
  return all;
}

}  // namespace recmesh::harness
