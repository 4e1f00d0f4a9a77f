// A device allocation that frees itself (harness only; the addon's buffers live in lanes).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "../native/kernels/status.h"

namespace recmesh::harness {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  ~DeviceBuffer() {
    if (data_ != nullptr) static_cast<void>(cudaFree(data_));
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  cuda::Status Allocate(size_t bytes) {
    if (data_ != nullptr) RM_CUDA_TRY(cudaFree(data_));
    data_ = nullptr;
    RM_CUDA_TRY(cudaMalloc(&data_, bytes > 0 ? bytes : 1));
    bytes_ = bytes;
    return cuda::Status();
  }
  cuda::Status Upload(const void* host, size_t bytes) {
    RM_TRY(Allocate(bytes));
    if (bytes > 0) RM_CUDA_TRY(cudaMemcpy(data_, host, bytes, cudaMemcpyHostToDevice));
    return cuda::Status();
  }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace recmesh::harness
