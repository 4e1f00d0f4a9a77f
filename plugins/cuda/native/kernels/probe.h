// What this machine offers the CUDA backend: a loadable driver, devices, their properties.
#pragma once

#include <cuda_runtime.h>

#include <string>
#include <vector>

namespace recmesh::cuda {

struct DeviceInfo {
  int index = 0;
  std::string name;
  int major = 0;
  int minor = 0;
  size_t total_memory = 0;
  int multiprocessors = 0;
  int memory_bus_bits = 0;
  int l2_bytes = 0;
};

struct Probe {
  /** libcuda.so.1 could be loaded (the driver is installed). */
  bool driver_loaded = false;
  /** dlerror() when it could not. */
  std::string driver_error;
  /** cudaDriverGetVersion (e.g. 12040 for 12.4), 0 without a driver. */
  int driver_version = 0;
  /** The CUDA runtime this code was built with (CUDART_VERSION). */
  int runtime_version = 0;
  /** cudaGetDeviceCount's result. */
  cudaError_t count_error = cudaSuccess;
  std::vector<DeviceInfo> devices;
  /**
   * Empty when a GPU is usable; else why not, starting with the kind: "no driver: ...",
   * "driver too old: ...", "no device: ..." or "CUDA error: ...".
   */
  std::string unavailable;
};

/** Looks without creating a context (cudaGetDeviceCount and attributes only). */
Probe ProbeDevices();

/** "12.4" from 12040. */
std::string VersionString(int version);

}  // namespace recmesh::cuda
