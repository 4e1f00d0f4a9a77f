#include "emulation.h"

#include <ucontext.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

thread_local dim3 threadIdx;
thread_local dim3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

struct CUstream_st {};
struct CUevent_st {
  std::chrono::steady_clock::time_point at;
};

namespace recmesh::emulation {
namespace {

/** What the emulated device claims: one device, 16 GiB, 4 "SMs" (so both GEMM tilings get used). */
constexpr size_t kMemory = size_t{16} << 30;
constexpr int kMultiprocessors = 4;
constexpr size_t kFiberStack = 128 * 1024;

thread_local cudaError_t t_last_error = cudaSuccess;
std::atomic<size_t> g_allocated{0};
std::mutex g_atomics;

struct Barrier {
  unsigned count = 0;
  unsigned arrived = 0;
  unsigned long long generation = 0;
};

struct Warp {
  Barrier barrier{32};
  float values[32] = {};
};

struct Fiber {
  ucontext_t context{};
  std::unique_ptr<char[]> stack;
  dim3 thread;
  dim3 block;
  unsigned warp = 0;
  int lane = 0;
  bool done = false;
};

/** The launch running on this thread. */
struct Launched {
  dim3 grid;
  dim3 block;
  const std::function<void()>* body = nullptr;
  std::vector<Fiber> fibers;
  std::vector<Warp> warps;
  Barrier block_barrier;
  ucontext_t scheduler{};
  Fiber* current = nullptr;
  unsigned long long progress = 0;  // barrier arrivals and finished fibers
};
thread_local Launched* t_launch = nullptr;

cudaError_t Fail(cudaError_t error) {
  t_last_error = error;
  return error;
}

void Yield() { swapcontext(&t_launch->current->context, &t_launch->scheduler); }

/** Arrives at `b` and returns once every thread it counts has arrived. */
void Arrive(Barrier& b) {
  ++t_launch->progress;
  const unsigned long long generation = b.generation;
  if (++b.arrived == b.count) {
    b.arrived = 0;
    ++b.generation;
    return;
  }
  while (b.generation == generation) Yield();
}

void FiberMain() {
  Launched& l = *t_launch;
  Fiber& f = *l.current;
  for (unsigned z = 0; z < l.grid.z; ++z)
    for (unsigned y = 0; y < l.grid.y; ++y)
      for (unsigned x = 0; x < l.grid.x; ++x) {
        blockIdx = f.block = dim3(x, y, z);
        (*l.body)();
        // No thread starts the next block while another may still use shared memory.
        Arrive(l.block_barrier);
      }
  f.done = true;
  ++l.progress;
}  // returns to uc_link: the scheduler

/** Allocations remember their size (in the 256 bytes before the aligned block). */
void* Allocate(size_t bytes) {
  const size_t total = 256 + (bytes + 255) / 256 * 256;
  auto* base = static_cast<unsigned char*>(std::aligned_alloc(256, total));
  if (base == nullptr) return nullptr;
  std::memcpy(base, &bytes, sizeof bytes);
  g_allocated += bytes;
  return base + 256;
}

void Release(void* ptr) {
  if (ptr == nullptr) return;
  auto* base = static_cast<unsigned char*>(ptr) - 256;
  size_t bytes;
  std::memcpy(&bytes, base, sizeof bytes);
  g_allocated -= bytes;
  std::free(base);
}

}  // namespace

cudaError_t RunGrid(dim3 grid, dim3 block, const std::function<void()>& body) {
  const unsigned threads = block.x * block.y * block.z;
  if (threads == 0 || threads > 1024 || threads % 32 != 0 || grid.x == 0 || grid.y == 0 ||
      grid.z == 0 || grid.y > 65535 || grid.z > 65535 || t_launch != nullptr)
    return Fail(cudaErrorInvalidConfiguration);
  Launched l;
  l.grid = grid;
  l.block = block;
  l.body = &body;
  l.block_barrier.count = threads;
  l.warps.resize(threads / 32);
  l.fibers.resize(threads);
  for (unsigned t = 0; t < threads; ++t) {
    Fiber& f = l.fibers[t];
    f.thread = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
    f.warp = t / 32;
    f.lane = static_cast<int>(t % 32);
    f.stack.reset(new char[kFiberStack]);
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack.get();
    f.context.uc_stack.ss_size = kFiberStack;
    f.context.uc_link = &l.scheduler;
    makecontext(&f.context, FiberMain, 0);
  }
  t_launch = &l;
  blockDim = block;
  gridDim = grid;
  cudaError_t result = cudaSuccess;
  for (bool alive = true; alive;) {
    alive = false;
    const unsigned long long before = l.progress;
    for (Fiber& f : l.fibers) {
      if (f.done) continue;
      l.current = &f;
      threadIdx = f.thread;
      blockIdx = f.block;
      swapcontext(&l.scheduler, &f.context);
      alive = alive || !f.done;
    }
    if (alive && l.progress == before) {  // every live fiber waits on a barrier nobody completes
      std::fprintf(stderr,
                   "recmesh CUDA emulator: the threads of a launch deadlocked on a barrier\n");
      result = Fail(cudaErrorLaunchFailure);
      break;
    }
  }
  t_launch = nullptr;
  return result;
}

void SyncThreads() { Arrive(t_launch->block_barrier); }

float ShuffleXor(float value, int lane_mask) {
  Fiber& f = *t_launch->current;
  Warp& warp = t_launch->warps[f.warp];
  const int lane = f.lane;
  warp.values[lane] = value;
  Arrive(warp.barrier);
  const float other = warp.values[(lane ^ lane_mask) & 31];
  Arrive(warp.barrier);  // nobody overwrites a value before its reader has it
  return other;
}

unsigned long long AtomicMin(unsigned long long* address, unsigned long long value) {
  std::lock_guard<std::mutex> lock(g_atomics);
  const unsigned long long old = *address;
  if (value < old) *address = value;
  return old;
}

}  // namespace recmesh::emulation

using recmesh::emulation::Fail;

const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
  }
  return "cudaErrorUnknown";
}

const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "no error";
    case cudaErrorMemoryAllocation: return "out of memory (emulated)";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument (emulated)";
    default: return "emulated CUDA error";
  }
}

cudaError_t cudaGetLastError() {
  const cudaError_t e = recmesh::emulation::t_last_error;
  recmesh::emulation::t_last_error = cudaSuccess;
  return e;
}

cudaError_t cudaDriverGetVersion(int* version) {
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (device != 0) return Fail(cudaErrorInvalidDevice);
  *prop = {};
  std::strncpy(prop->name, "recmesh CUDA emulator (CPU threads, not a GPU)", sizeof prop->name - 1);
  prop->totalGlobalMem = recmesh::emulation::kMemory;
  prop->multiProcessorCount = recmesh::emulation::kMultiprocessors;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
  if (device != 0) return Fail(cudaErrorInvalidDevice);
  *value = attr == cudaDevAttrMultiProcessorCount ? recmesh::emulation::kMultiprocessors : 0;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  return device == 0 ? cudaSuccess : Fail(cudaErrorInvalidDevice);
}

cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

cudaError_t cudaMemGetInfo(size_t* free, size_t* total) {
  *total = recmesh::emulation::kMemory;
  *free = *total - std::min(*total, recmesh::emulation::g_allocated.load());
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** ptr, size_t bytes) {
  *ptr = recmesh::emulation::Allocate(bytes);
  return *ptr != nullptr ? cudaSuccess : Fail(cudaErrorMemoryAllocation);
}

cudaError_t cudaFree(void* ptr) {
  recmesh::emulation::Release(ptr);
  return cudaSuccess;
}

cudaError_t cudaHostAlloc(void** ptr, size_t bytes, unsigned) { return cudaMalloc(ptr, bytes); }

cudaError_t cudaFreeHost(void* ptr) { return cudaFree(ptr); }

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
  if (bytes > 0) std::memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemset(void* ptr, int value, size_t bytes) {
  std::memset(ptr, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t) {
  return cudaMemset(ptr, value, bytes);
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned) {
  *stream = new CUstream_st();
  return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  delete stream;
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = new CUevent_st();
  return cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned) {
  return cudaEventCreate(event);
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete event;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t) {
  event->at = std::chrono::steady_clock::now();
  return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
  return cudaSuccess;
}
