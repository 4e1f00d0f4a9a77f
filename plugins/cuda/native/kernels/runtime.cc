#include "runtime.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "gather-reduce.h"

namespace recmesh::cuda {
namespace {

constexpr size_t kAlign = 256;  // cudaMalloc's alignment; every staged array starts on one
constexpr size_t kGrowStep = size_t{1} << 20;

size_t AlignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

/** Growth that avoids reallocating for every slightly larger request. */
size_t Grown(size_t have, size_t need) {
  const size_t target = std::max(need, have + have / 2);
  return (target + kGrowStep - 1) / kGrowStep * kGrowStep;
}

}  // namespace

Status DeviceTable::Create(int device, const void* host, int64_t rows, int32_t dim, Dtype dtype,
                           std::shared_ptr<DeviceTable>* out) {
  if (rows < 0) return Status::Invalid("table: rows must not be negative");
  std::shared_ptr<DeviceTable> t(new DeviceTable());
  t->rows_ = rows;
  t->dim_ = dim;
  t->dtype_ = dtype;
  t->device_ = device;
  t->bytes_ = static_cast<size_t>(rows) * RowBytes(dtype, dim);
  RM_CUDA_TRY(cudaSetDevice(device));
  if (t->bytes_ > 0) {
    RM_CUDA_TRY(cudaMalloc(&t->data_, t->bytes_));
    if (host != nullptr) RM_CUDA_TRY(cudaMemcpy(t->data_, host, t->bytes_, cudaMemcpyHostToDevice));
  }
  *out = std::move(t);
  return Status();
}

DeviceTable::~DeviceTable() {
  if (data_ != nullptr && cudaSetDevice(device_) == cudaSuccess) static_cast<void>(cudaFree(data_));
}

Status Lane::Create(int device, std::unique_ptr<Lane>* out) {
  std::unique_ptr<Lane> lane(new Lane());
  lane->device_ = device;
  RM_CUDA_TRY(cudaSetDevice(device));
  RM_CUDA_TRY(cudaStreamCreateWithFlags(&lane->stream_, cudaStreamNonBlocking));
  // Blocking sync: a waiting thread sleeps instead of spinning a core per lane.
  RM_CUDA_TRY(
      cudaEventCreateWithFlags(&lane->done_, cudaEventBlockingSync | cudaEventDisableTiming));
  *out = std::move(lane);
  return Status();
}

Lane::~Lane() {
  if (cudaSetDevice(device_) != cudaSuccess) return;
  if (stream_ != nullptr) static_cast<void>(cudaStreamSynchronize(stream_));
  if (host_ != nullptr) static_cast<void>(cudaFreeHost(host_));
  if (device_buffer_ != nullptr) static_cast<void>(cudaFree(device_buffer_));
  if (done_ != nullptr) static_cast<void>(cudaEventDestroy(done_));
  if (stream_ != nullptr) static_cast<void>(cudaStreamDestroy(stream_));
}

Status Lane::Reserve(size_t host_bytes, size_t device_bytes) {
  if (host_bytes <= host_bytes_ && device_bytes <= device_bytes_) return Status();
  RM_CUDA_TRY(cudaSetDevice(device_));
  RM_CUDA_TRY(cudaStreamSynchronize(stream_));  // nothing may still read the old buffers
  if (host_bytes > host_bytes_) {
    const size_t bytes = Grown(host_bytes_, host_bytes);
    if (host_ != nullptr) RM_CUDA_TRY(cudaFreeHost(host_));
    host_ = nullptr;
    host_bytes_ = 0;
    RM_CUDA_TRY(cudaHostAlloc(reinterpret_cast<void**>(&host_), bytes, cudaHostAllocPortable));
    host_bytes_ = bytes;
  }
  if (device_bytes > device_bytes_) {
    const size_t bytes = Grown(device_bytes_, device_bytes);
    if (device_buffer_ != nullptr) RM_CUDA_TRY(cudaFree(device_buffer_));
    device_buffer_ = nullptr;
    device_bytes_ = 0;
    RM_CUDA_TRY(cudaMalloc(reinterpret_cast<void**>(&device_buffer_), bytes));
    device_bytes_ = bytes;
  }
  return Status();
}

Status Lane::Wait() {
  RM_CUDA_TRY(cudaEventRecord(done_, stream_));
  RM_CUDA_TRY(cudaEventSynchronize(done_));
  return Status();
}

Status LanePool::Init(int device, int lanes) {
  device_ = device;
  for (int i = 0; i < lanes; ++i) {
    std::unique_ptr<Lane> lane;
    RM_TRY(Lane::Create(device, &lane));
    free_.push_back(lane.get());
    lanes_.push_back(std::move(lane));
  }
  return Status();
}

Lane* LanePool::Acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  available_.wait(lock, [this] { return !free_.empty(); });
  Lane* lane = free_.back();
  free_.pop_back();
  return lane;
}

void LanePool::Release(Lane* lane) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(lane);
  }
  available_.notify_one();
}

Status GatherThroughLane(Lane& lane, const DeviceTable& table, const Bags& bags, int64_t b0,
                         int64_t b1, float* out) {
  if (b0 < 0 || b1 < b0 || b1 > bags.num_bags)
    return Status::Invalid("gather-reduce: bad bag range");
  const int64_t parts_bags = b1 - b0;
  if (parts_bags == 0) return Status();
  const int64_t first = bags.offsets[b0];
  const int64_t last = b1 < bags.num_bags ? bags.offsets[b1] : bags.num_indices;
  if (first < 0 || last < first || last > bags.num_indices)
    return Status::Invalid("gather-reduce: offsets[" + std::to_string(b0) + "] = " +
                           std::to_string(first) + " or the end of bag " + std::to_string(b1 - 1) +
                           " is not within the " + std::to_string(bags.num_indices) + " indices");
  const int64_t n = last - first;
  const size_t dim = static_cast<size_t>(table.dim());

  // Staged input: indices | offsets | weights; output: pooled rows | fault.
  const size_t indices_at = 0;
  const size_t offsets_at = AlignUp(indices_at + n * sizeof(int32_t));
  const size_t weights_at = AlignUp(offsets_at + parts_bags * sizeof(int32_t));
  const size_t in_bytes = weights_at + (bags.weights != nullptr ? n * sizeof(float) : 0);
  const size_t out_at = AlignUp(in_bytes);
  const size_t fault_at = out_at + AlignUp(parts_bags * dim * sizeof(float));
  const size_t total = fault_at + sizeof(GatherFault);
  RM_CUDA_TRY(cudaSetDevice(lane.device()));  // this thread's current device is not the lane's
  RM_TRY(lane.Reserve(total, total));

  uint8_t* h = lane.host();
  uint8_t* d = lane.dev();
  std::memcpy(h + indices_at, bags.indices + first, n * sizeof(int32_t));
  int32_t* offsets = reinterpret_cast<int32_t*>(h + offsets_at);
  for (int64_t b = 0; b < parts_bags; ++b)
    offsets[b] = static_cast<int32_t>(bags.offsets[b0 + b] - first);
  if (bags.weights != nullptr) std::memcpy(h + weights_at, bags.weights + first, n * sizeof(float));

  cudaStream_t s = lane.stream();
  RM_CUDA_TRY(cudaMemcpyAsync(d, h, in_bytes, cudaMemcpyHostToDevice, s));
  GatherFault* fault = reinterpret_cast<GatherFault*>(d + fault_at);
  RM_TRY(ResetFault(fault, s));
  GatherArgs args;
  args.table = table.data();
  args.rows = table.rows();
  args.dim = table.dim();
  args.dtype = table.dtype();
  args.bags.indices = reinterpret_cast<const int32_t*>(d + indices_at);
  args.bags.num_indices = n;
  args.bags.offsets = reinterpret_cast<const int32_t*>(d + offsets_at);
  args.bags.num_bags = parts_bags;
  args.bags.weights =
      bags.weights != nullptr ? reinterpret_cast<const float*>(d + weights_at) : nullptr;
  args.bags.mean = bags.mean;
  args.out = reinterpret_cast<float*>(d + out_at);
  args.fault = fault;
  RM_TRY(LaunchGatherReduce(args, s));
  RM_CUDA_TRY(cudaMemcpyAsync(h + out_at, d + out_at, total - out_at, cudaMemcpyDeviceToHost, s));
  RM_TRY(lane.Wait());

  GatherFault seen;
  std::memcpy(&seen, h + fault_at, sizeof seen);
  if (seen.index != kNoFault) {
    const int64_t at = first + static_cast<int64_t>(seen.index);
    return Status::Invalid("gather-reduce: indices[" + std::to_string(at) +
                           "] = " + std::to_string(bags.indices[at]) + " is outside the table's " +
                           std::to_string(table.rows()) + " rows");
  }
  if (seen.bag != kNoFault) {
    const int64_t at = b0 + static_cast<int64_t>(seen.bag);
    const int64_t end = at + 1 < bags.num_bags ? bags.offsets[at + 1] : bags.num_indices;
    return Status::Invalid("gather-reduce: bag " + std::to_string(at) + " spans offsets [" +
                           std::to_string(bags.offsets[at]) + ", " + std::to_string(end) +
                           "), not a range of the " + std::to_string(bags.num_indices) +
                           " indices");
  }
  std::memcpy(out, h + out_at, parts_bags * dim * sizeof(float));
  return Status();
}

Status ForwardThroughLane(Lane& lane, const DenseModel& model, const float* dense, const float* emb,
                          int batch, float* out) {
  if (batch <= 0) return Status();
  const size_t dense_bytes = static_cast<size_t>(batch) * model.dense_features() * sizeof(float);
  const size_t emb_bytes =
      static_cast<size_t>(model.tables()) * batch * model.dim() * sizeof(float);
  const size_t emb_at = AlignUp(dense_bytes);
  const size_t out_at = AlignUp(emb_at + emb_bytes);
  const size_t work_at = AlignUp(out_at + batch * sizeof(float));
  const size_t device_total = work_at + model.WorkspaceFloats(batch) * sizeof(float);
  const size_t host_total = out_at + batch * sizeof(float);
  RM_CUDA_TRY(cudaSetDevice(lane.device()));
  RM_TRY(lane.Reserve(host_total, device_total));

  uint8_t* h = lane.host();
  uint8_t* d = lane.dev();
  std::memcpy(h, dense, dense_bytes);
  std::memcpy(h + emb_at, emb, emb_bytes);
  cudaStream_t s = lane.stream();
  RM_CUDA_TRY(cudaMemcpyAsync(d, h, emb_at + emb_bytes, cudaMemcpyHostToDevice, s));
  RM_TRY(model.Forward(
      reinterpret_cast<const float*>(d), reinterpret_cast<const float*>(d + emb_at), batch,
      reinterpret_cast<float*>(d + work_at), reinterpret_cast<float*>(d + out_at), s));
  RM_CUDA_TRY(
      cudaMemcpyAsync(h + out_at, d + out_at, batch * sizeof(float), cudaMemcpyDeviceToHost, s));
  RM_TRY(lane.Wait());
  std::memcpy(out, h + out_at, batch * sizeof(float));
  return Status();
}

}  // namespace recmesh::cuda
