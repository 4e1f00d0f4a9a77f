// Device-side state of the backend: tables resident in device memory, and lanes (a stream, a
// pinned host staging buffer and a device buffer each) through which lookups and dense batches
// travel. One request holds one lane from staging to the last copy back, so requests on
// different lanes overlap their copies with each other's kernels.
#pragma once

#include <cuda_runtime.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "bags.h"
#include "dense.h"
#include "dtype.h"
#include "status.h"

namespace recmesh::cuda {

/** One table partition in device memory. */
class DeviceTable {
 public:
  /** Allocates rows x RowBytes(dtype, dim) bytes on `device` and copies `host` (if not null). */
  static Status Create(int device, const void* host, int64_t rows, int32_t dim, Dtype dtype,
                       std::shared_ptr<DeviceTable>* out);
  ~DeviceTable();
  DeviceTable(const DeviceTable&) = delete;
  DeviceTable& operator=(const DeviceTable&) = delete;

  const void* data() const { return data_; }
  void* mutable_data() { return data_; }
  int64_t rows() const { return rows_; }
  int32_t dim() const { return dim_; }
  Dtype dtype() const { return dtype_; }
  size_t bytes() const { return bytes_; }
  int device() const { return device_; }

 private:
  DeviceTable() = default;
  void* data_ = nullptr;
  int64_t rows_ = 0;
  int32_t dim_ = 0;
  Dtype dtype_ = Dtype::kF32;
  size_t bytes_ = 0;
  int device_ = 0;
};

/** A stream with its own pinned staging buffer and device buffer, grown on demand. */
class Lane {
 public:
  static Status Create(int device, std::unique_ptr<Lane>* out);
  ~Lane();
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  int device() const { return device_; }
  cudaStream_t stream() const { return stream_; }
  /** Makes the staging buffers at least this large (keeps them when they are). */
  Status Reserve(size_t host_bytes, size_t device_bytes);
  uint8_t* host() { return host_; }
  uint8_t* dev() { return device_buffer_; }
  /** Blocks (without spinning) until everything queued on the stream has run. */
  Status Wait();

 private:
  Lane() = default;
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  cudaEvent_t done_ = nullptr;
  uint8_t* host_ = nullptr;
  size_t host_bytes_ = 0;
  uint8_t* device_buffer_ = nullptr;
  size_t device_bytes_ = 0;
};

/** A fixed set of lanes; Acquire blocks while all are busy. */
class LanePool {
 public:
  Status Init(int device, int lanes);
  Lane* Acquire();
  void Release(Lane* lane);
  int device() const { return device_; }
  int size() const { return static_cast<int>(lanes_.size()); }

 private:
  int device_ = 0;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<Lane*> free_;
  std::mutex mutex_;
  std::condition_variable available_;
};

/** Holds a lane for one scope. */
class LaneLease {
 public:
  explicit LaneLease(LanePool& pool) : pool_(pool), lane_(pool.Acquire()) {}
  ~LaneLease() { pool_.Release(lane_); }
  LaneLease(const LaneLease&) = delete;
  LaneLease& operator=(const LaneLease&) = delete;
  Lane& operator*() { return *lane_; }

 private:
  LanePool& pool_;
  Lane* lane_;
};

/**
 * Pools bags [b0, b1) of `bags` (host memory) into out[(b - b0) * dim]: stages the part's indices,
 * rebased offsets and weights in the lane's pinned buffer, copies them in one transfer, runs the
 * kernel, copies the pooled rows back and waits. A bad index or offset is a Status::Invalid naming
 * its position.
 */
Status GatherThroughLane(Lane& lane, const DeviceTable& table, const Bags& bags, int64_t b0,
                         int64_t b1, float* out);

/** The dense graph for one batch through a lane (dense and embeddings in, scores out). */
Status ForwardThroughLane(Lane& lane, const DenseModel& model, const float* dense, const float* emb,
                          int batch, float* out);

}  // namespace recmesh::cuda
