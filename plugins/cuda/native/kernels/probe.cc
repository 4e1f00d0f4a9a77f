// The runtime is linked statically (nvcc's default), so loading this code never needs
// libcudart or libcuda: the runtime dlopens libcuda.so.1 on its first call. Opening the driver
// here first tells "no driver installed" apart from "driver too old" and "no device".
#include "probe.h"

#include <dlfcn.h>

namespace recmesh::cuda {

std::string VersionString(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

Probe ProbeDevices() {
  Probe p;
  p.runtime_version = CUDART_VERSION;
#if !defined(RECMESH_CUDA_EMULATION)  // the emulator stands in for the driver
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver == nullptr) {
    const char* why = dlerror();
    p.driver_error = why != nullptr ? why : "unknown dlopen error";
    p.unavailable = "no driver: libcuda.so.1 could not be loaded (" + p.driver_error +
                    "); install the NVIDIA driver";
    return p;
  }
#endif
  p.driver_loaded = true;  // the handle stays open: the runtime opens the same library
  if (cudaDriverGetVersion(&p.driver_version) != cudaSuccess) p.driver_version = 0;
  int count = 0;
  p.count_error = cudaGetDeviceCount(&count);
  if (p.count_error == cudaErrorInsufficientDriver) {
    p.unavailable = "driver too old: the NVIDIA driver supports CUDA " +
                    VersionString(p.driver_version) + ", the addon was built with CUDA " +
                    VersionString(p.runtime_version) +
                    " (rebuild with a matching toolkit or update the driver)";
    return p;
  }
  if (p.count_error == cudaErrorNoDevice || (p.count_error == cudaSuccess && count == 0)) {
    p.unavailable = "no device: the NVIDIA driver (CUDA " + VersionString(p.driver_version) +
                    ") sees no GPU (cudaGetDeviceCount = 0; check CUDA_VISIBLE_DEVICES)";
    return p;
  }
  if (p.count_error != cudaSuccess) {
    p.unavailable = std::string("CUDA error: cudaGetDeviceCount failed: ") +
                    cudaGetErrorName(p.count_error) + " (" + cudaGetErrorString(p.count_error) +
                    ")";
    return p;
  }
  for (int i = 0; i < count; ++i) {
    DeviceInfo d;
    d.index = i;
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) == cudaSuccess) {
      d.name = prop.name;
      d.major = prop.major;
      d.minor = prop.minor;
      d.total_memory = prop.totalGlobalMem;
      d.multiprocessors = prop.multiProcessorCount;
      d.l2_bytes = prop.l2CacheSize;
    }
    if (cudaDeviceGetAttribute(&d.memory_bus_bits, cudaDevAttrGlobalMemoryBusWidth, i) !=
        cudaSuccess)
      d.memory_bus_bits = 0;
    p.devices.push_back(d);
  }
  return p;
}

}  // namespace recmesh::cuda
