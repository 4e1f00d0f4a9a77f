#include "bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "../native/kernels/gather-reduce.h"
#include "device-buffer.h"
#include "fill.h"
#include "host-data.h"
#include "reference.h"

namespace recmesh::harness {
namespace {

using cuda::Dtype;
using cuda::Status;
using Clock = std::chrono::steady_clock;

class EventPair {
 public:
  ~EventPair() {
    if (start != nullptr) static_cast<void>(cudaEventDestroy(start));
    if (stop != nullptr) static_cast<void>(cudaEventDestroy(stop));
  }
  Status Create() {
    RM_CUDA_TRY(cudaEventCreate(&start));
    RM_CUDA_TRY(cudaEventCreate(&stop));
    return Status();
  }
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
};

/** Seconds per call of `launch` (queued on the default stream), over about measure_s seconds. */
Status TimeKernel(double measure_s, const std::function<Status()>& launch, double* seconds) {
  EventPair e;
  RM_TRY(e.Create());
  RM_TRY(launch());  // warm-up
  RM_CUDA_TRY(cudaEventRecord(e.start));
  RM_TRY(launch());
  RM_CUDA_TRY(cudaEventRecord(e.stop));
  RM_CUDA_TRY(cudaEventSynchronize(e.stop));
  float ms = 0;
  RM_CUDA_TRY(cudaEventElapsedTime(&ms, e.start, e.stop));
  const int reps =
      static_cast<int>(std::clamp(measure_s * 1000.0 / std::max(ms, 1e-3f), 3.0, 100000.0));
  RM_CUDA_TRY(cudaEventRecord(e.start));
  for (int i = 0; i < reps; ++i) RM_TRY(launch());
  RM_CUDA_TRY(cudaEventRecord(e.stop));
  RM_CUDA_TRY(cudaEventSynchronize(e.stop));
  RM_CUDA_TRY(cudaEventElapsedTime(&ms, e.start, e.stop));
  *seconds = ms / 1000.0 / reps;
  return Status();
}

/**
 * One host thread per lane calls `work` for about measure_s seconds (after two warm-up calls that
 * size the lane's buffers); returns the calls per second of all threads together.
 */
Status RunPipelined(cuda::LanePool& pool, double measure_s,
                    const std::function<Status(cuda::Lane&, int)>& work, double* calls_per_s) {
  const int threads = pool.size();
  std::vector<Status> status(threads);
  std::vector<double> rate(threads, 0.0);
  std::atomic<int> ready{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      cuda::LaneLease lane(pool);
      Status s = work(*lane, t);
      if (s.ok()) s = work(*lane, t);
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      if (!s.ok()) {
        status[t] = s;
        return;
      }
      const auto start = Clock::now();
      const auto deadline = start + std::chrono::duration<double>(measure_s);
      int64_t calls = 0;
      while (Clock::now() < deadline) {
        s = work(*lane, t);
        if (!s.ok()) break;
        ++calls;
      }
      status[t] = s;
      rate[t] = calls / std::chrono::duration<double>(Clock::now() - start).count();
    });
  }
  for (std::thread& w : workers) w.join();
  for (const Status& s : status) RM_TRY(s);
  *calls_per_s = 0;
  for (double r : rate) *calls_per_s += r;
  return Status();
}

struct HostBatch {
  std::vector<int32_t> indices;
  std::vector<int32_t> offsets;
  std::vector<float> weights;
};

/** Fixed-size bags of uniformly random rows (no reuse for a cache to find in a 10M-row table). */
HostBatch UniformBags(int64_t rows, int bags, int pool, Rng& rng) {
  HostBatch b;
  b.indices.resize(static_cast<size_t>(bags) * pool);
  for (int32_t& i : b.indices) i = static_cast<int32_t>(rng.Below(rows));
  b.offsets.resize(bags);
  for (int i = 0; i < bags; ++i) b.offsets[i] = i * pool;
  b.weights.resize(b.indices.size());
  for (float& w : b.weights) w = rng.Uniform(0.0f, 1.0f);
  return b;
}

/** Bytes a gather moves: the rows read, the indices (and weights) read, the pooled rows written. */
double GatherBytes(int64_t lookups, int64_t bags, int dim, Dtype dtype, bool weighted) {
  return static_cast<double>(lookups) * (cuda::RowBytes(dtype, dim) + 4 + (weighted ? 4 : 0)) +
         static_cast<double>(bags) * (4 + 4.0 * dim);
}

}  // namespace

Status CopyBandwidth(int device, double measure_s, double* gbs, size_t* bytes) {
  RM_CUDA_TRY(cudaSetDevice(device));
  size_t free_bytes = 0, total = 0;
  RM_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total));
  *bytes = std::min<size_t>(size_t{1} << 30, free_bytes / 4);
  DeviceBuffer a, b;
  RM_TRY(a.Allocate(*bytes));
  RM_TRY(b.Allocate(*bytes));
  RM_CUDA_TRY(cudaMemset(a.as<void>(), 1, *bytes));
  double seconds = 0;
  RM_TRY(TimeKernel(
      measure_s,
      [&]() -> Status {
        RM_CUDA_TRY(cudaMemcpyAsync(b.as<void>(), a.as<void>(), *bytes, cudaMemcpyDeviceToDevice));
        return Status();
      },
      &seconds));
  *gbs = 2.0 * static_cast<double>(*bytes) / seconds / 1e9;
  return Status();
}

Status GatherThroughput(cuda::LanePool& pool, const BenchOptions& o, double copy_gbs,
                        JsonWriter& json, double* fp32_fraction) {
  *fp32_fraction = 0;
  Rng rng(12345);
  json.BeginArray();
  for (const Dtype dtype : {Dtype::kF32, Dtype::kF16, Dtype::kI8}) {
    size_t free_bytes = 0, total = 0;
    RM_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total));
    // Leave room for the batches and the lanes; a smaller GPU gets a smaller table, said so.
    const size_t row_bytes = cuda::RowBytes(dtype, o.dim);
    const int64_t rows =
        std::min<int64_t>(o.rows, static_cast<int64_t>(free_bytes * 0.7 / row_bytes));
    std::shared_ptr<cuda::DeviceTable> table;
    RM_TRY(cuda::DeviceTable::Create(pool.device(), nullptr, rows, o.dim, dtype, &table));
    RM_TRY(
        FillTable(table->mutable_data(), rows, o.dim, dtype, 1 + static_cast<int>(dtype), nullptr));
    RM_CUDA_TRY(cudaDeviceSynchronize());

    const HostBatch batch = UniformBags(rows, o.bags, o.pool, rng);
    const int64_t lookups = static_cast<int64_t>(batch.indices.size());
    DeviceBuffer indices, offsets, weights, out, fault;
    RM_TRY(indices.Upload(batch.indices.data(), lookups * sizeof(int32_t)));
    RM_TRY(offsets.Upload(batch.offsets.data(), batch.offsets.size() * sizeof(int32_t)));
    RM_TRY(weights.Upload(batch.weights.data(), lookups * sizeof(float)));
    RM_TRY(out.Allocate(static_cast<size_t>(o.bags) * o.dim * sizeof(float)));
    RM_TRY(fault.Allocate(sizeof(cuda::GatherFault)));
    RM_TRY(cuda::ResetFault(fault.as<cuda::GatherFault>(), nullptr));

    struct Variant {
      const char* mode;
      bool weighted;
      bool mean;
    };
    std::vector<Variant> variants = {{"sum", false, false}};
    if (dtype == Dtype::kF32) {
      variants.push_back({"weighted-sum", true, false});
      variants.push_back({"mean", false, true});
    }
    for (const Variant& v : variants) {
      cuda::GatherArgs a;
      a.table = table->data();
      a.rows = rows;
      a.dim = o.dim;
      a.dtype = dtype;
      a.bags.indices = indices.as<int32_t>();
      a.bags.num_indices = lookups;
      a.bags.offsets = offsets.as<int32_t>();
      a.bags.num_bags = o.bags;
      a.bags.weights = v.weighted ? weights.as<float>() : nullptr;
      a.bags.mean = v.mean;
      a.out = out.as<float>();
      a.fault = fault.as<cuda::GatherFault>();
      double seconds = 0;
      RM_TRY(TimeKernel(
          o.measure_s, [&] { return cuda::LaunchGatherReduce(a, nullptr); }, &seconds));
      const double gbs = GatherBytes(lookups, o.bags, o.dim, dtype, v.weighted) / seconds / 1e9;
      if (dtype == Dtype::kF32 && !v.weighted && !v.mean) *fp32_fraction = gbs / copy_gbs;
      json.BeginObject()
          .Field("path", "kernel")
          .Field("dtype", cuda::DtypeName(dtype))
          .Field("mode", v.mode)
          .Field("rows", rows)
          .Field("dim", o.dim)
          .Field("tableBytes", table->bytes())
          .Field("bags", o.bags)
          .Field("pool", o.pool)
          .Field("lookupsPerS", lookups / seconds)
          .Field("GBs", gbs)
          .Field("fractionOfCopyBandwidth", gbs / copy_gbs)
          .Field("usPerBatch", seconds * 1e6)
          .EndObject();
    }

    // Through the lanes: one request of lane_bags bags per call, from pageable host memory.
    std::vector<HostBatch> per_thread;
    std::vector<std::vector<float>> outs;
    for (int t = 0; t < pool.size(); ++t) {
      per_thread.push_back(UniformBags(rows, o.lane_bags, o.pool, rng));
      outs.emplace_back(static_cast<size_t>(o.lane_bags) * o.dim);
    }
    double calls_per_s = 0;
    RM_TRY(RunPipelined(
        pool, o.measure_s,
        [&](cuda::Lane& lane, int t) {
          const HostBatch& b = per_thread[t];
          cuda::Bags bags;
          bags.indices = b.indices.data();
          bags.num_indices = static_cast<int64_t>(b.indices.size());
          bags.offsets = b.offsets.data();
          bags.num_bags = static_cast<int64_t>(b.offsets.size());
          return cuda::GatherThroughLane(lane, *table, bags, 0, bags.num_bags, outs[t].data());
        },
        &calls_per_s));
    const int64_t lane_lookups = static_cast<int64_t>(o.lane_bags) * o.pool;
    const double gbs =
        calls_per_s * GatherBytes(lane_lookups, o.lane_bags, o.dim, dtype, false) / 1e9;
    json.BeginObject()
        .Field("path", "lanes")
        .Field("lanes", pool.size())
        .Field("dtype", cuda::DtypeName(dtype))
        .Field("mode", "sum")
        .Field("rows", rows)
        .Field("dim", o.dim)
        .Field("bags", o.lane_bags)
        .Field("pool", o.pool)
        .Field("lookupsPerS", calls_per_s * lane_lookups)
        .Field("GBs", gbs)
        .Field("fractionOfCopyBandwidth", gbs / copy_gbs)
        .Field("requestsPerS", calls_per_s)
        .EndObject();
  }
  json.EndArray();
  return Status();
}

Status DenseThroughput(cuda::LanePool& pool, const BenchOptions& o, JsonWriter& json,
                       double* rmc3_sps) {
  const double measure_s = o.measure_s;
  *rmc3_sps = 0;
  Rng rng(4242);
  using cuda::Interaction;
  // The MLPs: RMC1 bottom 128-64-32, top (32*9)-256-64-1, cat over 8 tables of dim 32;
  // RMC3 bottom 2560-1024-256-32, top (32*11)-512-256-1, cat over 10 tables of dim 32.
  const std::vector<HostDense> models = {
      HostDense::Random("rmc1", 128, {64, 32}, 8, 32, Interaction::kCat, {256, 64, 1}, rng),
      HostDense::Random("rmc3", 2560, {1024, 256, 32}, 10, 32, Interaction::kCat, {512, 256, 1},
                        rng),
  };
  json.BeginArray();
  for (const HostDense& m : models) {
    std::unique_ptr<cuda::DenseModel> model;
    RM_TRY(cuda::DenseModel::Create(m.Spec(), pool.device(), &model));
    for (const int batch : o.dense_batches) {
      std::vector<float> dense(static_cast<size_t>(batch) * m.dense_features);
      std::vector<float> emb(static_cast<size_t>(m.tables) * batch * m.dim);
      for (float& v : dense) v = rng.Uniform(0.0f, 1.0f);
      for (float& v : emb) v = rng.Uniform(-0.5f, 0.5f);
      DeviceBuffer d_dense, d_emb, d_work, d_out;
      RM_TRY(d_dense.Upload(dense.data(), dense.size() * sizeof(float)));
      RM_TRY(d_emb.Upload(emb.data(), emb.size() * sizeof(float)));
      RM_TRY(d_work.Allocate(model->WorkspaceFloats(batch) * sizeof(float)));
      RM_TRY(d_out.Allocate(batch * sizeof(float)));
      double seconds = 0;
      RM_TRY(TimeKernel(
          measure_s,
          [&] {
            return model->Forward(d_dense.as<float>(), d_emb.as<float>(), batch, d_work.as<float>(),
                                  d_out.as<float>(), nullptr);
          },
          &seconds));
      const double kernel_sps = batch / seconds;

      std::vector<std::vector<float>> outs(pool.size(), std::vector<float>(batch));
      double calls_per_s = 0;
      RM_TRY(RunPipelined(
          pool, measure_s,
          [&](cuda::Lane& lane, int t) {
            return cuda::ForwardThroughLane(lane, *model, dense.data(), emb.data(), batch,
                                            outs[t].data());
          },
          &calls_per_s));
      const double lanes_sps = calls_per_s * batch;
      if (m.name == "rmc3" && batch == 1024) *rmc3_sps = lanes_sps;
      json.BeginObject()
          .Field("model", m.name)
          .Field("batch", batch)
          .Field("flopsPerSample", model->FlopsPerSample())
          .Field("kernelSamplesPerS", kernel_sps)
          .Field("kernelTflops", kernel_sps * model->FlopsPerSample() / 1e12)
          .Field("kernelMsPerBatch", seconds * 1e3)
          .Field("lanesSamplesPerS", lanes_sps)
          .Field("lanes", pool.size())
          .EndObject();
    }
  }
  json.EndArray();
  return Status();
}

}  // namespace recmesh::harness
