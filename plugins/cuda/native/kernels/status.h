// CUDA error checking shared by the kernels, the N-API addon and the harness: every runtime call
// and every kernel launch goes through RM_CUDA_TRY, which returns a Status naming the call, the
// CUDA error and the source line instead of carrying on with a broken stream.
#pragma once

#include <cuda_runtime.h>

#include <string>

namespace recmesh::cuda {

class Status {
 public:
  Status() = default;

  static Status Cuda(cudaError_t code, const char* call, const char* file, int line) {
    Status s;
    s.code_ = code;
    s.message_ = std::string(call) + " failed: " + cudaGetErrorName(code) + " (" +
                 cudaGetErrorString(code) + ") at " + Basename(file) + ":" + std::to_string(line);
    return s;
  }

  /** A failure that is not a CUDA error code (bad shapes, unsupported dims, bad input). */
  static Status Invalid(std::string message) {
    Status s;
    s.code_ = cudaErrorInvalidValue;
    s.invalid_ = true;
    s.message_ = std::move(message);
    return s;
  }

  bool ok() const { return code_ == cudaSuccess; }
  cudaError_t code() const { return code_; }
  /** True for caller mistakes (shapes, dims, out-of-range input), false for CUDA failures. */
  bool invalid() const { return invalid_; }
  /** Device memory ran out (cudaMalloc / cudaHostAlloc). */
  bool out_of_memory() const { return code_ == cudaErrorMemoryAllocation; }
  const std::string& message() const { return message_; }

 private:
  static const char* Basename(const char* path) {
    const char* base = path;
    for (const char* p = path; *p != '\0'; ++p)
      if (*p == '/' || *p == '\\') base = p + 1;
    return base;
  }

  cudaError_t code_ = cudaSuccess;
  bool invalid_ = false;
  std::string message_;
};

}  // namespace recmesh::cuda

/** Evaluates a CUDA runtime call; on failure returns a Status from the enclosing function. */
#define RM_CUDA_TRY(call)                                                         \
  do {                                                                            \
    const cudaError_t rm_error_ = (call);                                         \
    if (rm_error_ != cudaSuccess)                                                 \
      return ::recmesh::cuda::Status::Cuda(rm_error_, #call, __FILE__, __LINE__); \
  } while (0)

/**
 * Queues `kernel` (a variable holding a __global__ function, so that template arguments need no
 * commas here) on `stream` and checks the launch (bad configuration, no kernel image for this
 * GPU). Built with RECMESH_CUDA_EMULATION (native/emulation), the same kernel runs on the CPU.
 */
#if defined(RECMESH_CUDA_EMULATION)
#include "../emulation/emulation.h"
#define RM_LAUNCH_KERNEL(kernel, grid, block, stream, ...) \
  RM_CUDA_TRY(::recmesh::emulation::Launch((grid), (block), (stream), (kernel), __VA_ARGS__))
#else
#define RM_LAUNCH_KERNEL(kernel, grid, block, stream, ...)   \
  do {                                                       \
    (kernel)<<<(grid), (block), 0, (stream)>>>(__VA_ARGS__); \
    RM_CUDA_TRY(cudaGetLastError());                         \
  } while (0)
#endif

/** Propagates a failed Status. */
#define RM_TRY(expr)                             \
  do {                                           \
    ::recmesh::cuda::Status rm_status_ = (expr); \
    if (!rm_status_.ok()) return rm_status_;     \
  } while (0)
