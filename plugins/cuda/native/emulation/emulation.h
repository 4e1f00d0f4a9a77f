// Kernel launches and device intrinsics of RECMESH_CUDA_EMULATION builds (see cuda_runtime.h).
// A launch runs the grid's blocks one after another on the calling thread, each CUDA thread of a
// block a fiber; a fiber runs until it reaches a barrier (__syncthreads: the block's; a warp
// shuffle: its warp's, around an exchange of values) and the fibers take turns, so code that
// relies on block- or warp-synchronous execution behaves as on a GPU. Launches on different
// threads (the addon's lanes) run side by side, each with its own shared memory.
#pragma once

#include <cuda_runtime.h>

#include <cstring>
#include <functional>
#include <tuple>
#include <utility>

namespace recmesh::emulation {

/**
 * Runs `body` for every thread of every block: cudaErrorInvalidConfiguration for a bad shape,
 * cudaErrorLaunchFailure when the threads deadlock (a barrier that not every thread reaches).
 */
cudaError_t RunGrid(dim3 grid, dim3 block, const std::function<void()>& body);

template <typename... Params, typename... Args>
cudaError_t Launch(dim3 grid, dim3 block, cudaStream_t, void (*kernel)(Params...), Args&&... args) {
  // Arguments are copied as a launch copies them, converted to the kernel's parameter types.
  std::tuple<Params...> params(static_cast<Params>(std::forward<Args>(args))...);
  return RunGrid(grid, block, [&] { std::apply(kernel, params); });
}

void SyncThreads();
float ShuffleXor(float value, int lane_mask);
unsigned long long AtomicMin(unsigned long long* address, unsigned long long value);

}  // namespace recmesh::emulation

inline void __syncthreads() { recmesh::emulation::SyncThreads(); }
inline float __shfl_xor_sync(unsigned, float value, int lane_mask) {
  return recmesh::emulation::ShuffleXor(value, lane_mask);
}
inline unsigned long long atomicMin(unsigned long long* address, unsigned long long value) {
  return recmesh::emulation::AtomicMin(address, value);
}
template <typename T>
inline T __ldg(const T* p) {
  return *p;
}
inline float __uint_as_float(unsigned bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
