// recmesh-cuda-harness: the CUDA backend's kernels without Node. Checks parity with CPU references
// for every dtype and pooling mode and for the dense graphs, then measures throughput against the
// GPU's own device-to-device copy bandwidth, and writes one JSON report.
//
// Exit status: 0 parity passed, 1 parity failed, 2 usage or CUDA failure, 3 no usable GPU (the
// report says why).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "../native/kernels/probe.h"
#include "../native/kernels/runtime.h"
#include "bench.h"
#include "json-writer.h"
#include "parity.h"

namespace recmesh::harness {
namespace {

struct Options {
  std::string json_path;
  int device = 0;
  int lanes = 4;
  bool bench = true;
  /** RMC3 dense samples/s of a CPU at batch 1024, for the 10x target; 0 when not given. */
  double cpu_rmc3_sps = 0;
  std::string cpu_source;
  BenchOptions bench_options;
};

const char* kUsage =
    "usage: recmesh-cuda-harness [--json PATH] [--device N] [--lanes N] [--no-bench]\n"
    "       [--rows N] [--dim N] [--bags N] [--pool N] [--lane-bags N] [--measure-s S]\n"
    "       [--dense-batches 256,1024,4096]\n"
    "       [--cpu-rmc3-sps SAMPLES_PER_S] [--cpu-source TEXT]\n";

/** "256,1024" -> {256, 1024}; an entry that is not a positive integer makes the list empty. */
std::vector<int> Integers(const std::string& list) {
  std::vector<int> out;
  size_t at = 0;
  while (at <= list.size()) {
    const size_t comma = std::min(list.find(',', at), list.size());
    const int v = std::atoi(list.substr(at, comma - at).c_str());
    if (v <= 0) return {};
    out.push_back(v);
    at = comma + 1;
  }
  return out;
}

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    auto value = [&]() { return std::string(argv[++i]); };
    if (a == "--no-bench")
      o->bench = false;
    else if (!has_value)
      return false;
    else if (a == "--json")
      o->json_path = value();
    else if (a == "--device")
      o->device = std::atoi(value().c_str());
    else if (a == "--lanes")
      o->lanes = std::atoi(value().c_str());
    else if (a == "--rows")
      o->bench_options.rows = std::atoll(value().c_str());
    else if (a == "--dim")
      o->bench_options.dim = std::atoi(value().c_str());
    else if (a == "--bags")
      o->bench_options.bags = std::atoi(value().c_str());
    else if (a == "--pool")
      o->bench_options.pool = std::atoi(value().c_str());
    else if (a == "--lane-bags")
      o->bench_options.lane_bags = std::atoi(value().c_str());
    else if (a == "--measure-s")
      o->bench_options.measure_s = std::atof(value().c_str());
    else if (a == "--dense-batches")
      o->bench_options.dense_batches = Integers(value());
    else if (a == "--cpu-rmc3-sps")
      o->cpu_rmc3_sps = std::atof(value().c_str());
    else if (a == "--cpu-source")
      o->cpu_source = value();
    else
      return false;
  }
  return o->lanes >= 1 && o->lanes <= 64 && o->device >= 0 && o->bench_options.rows > 0 &&
         o->bench_options.dim > 0 && o->bench_options.bags > 0 && o->bench_options.pool > 0 &&
         o->bench_options.lane_bags > 0 && o->bench_options.measure_s > 0 &&
         !o->bench_options.dense_batches.empty();
}

void WriteProbe(const cuda::Probe& p, JsonWriter& json) {
  json.BeginObject("probe")
      .Field("driverLoaded", p.driver_loaded)
      .Field("driverVersion", p.driver_version > 0 ? cuda::VersionString(p.driver_version) : "")
      .Field("runtimeVersion", cuda::VersionString(p.runtime_version));
  json.BeginArray("devices");
  for (const cuda::DeviceInfo& d : p.devices)
    json.BeginObject()
        .Field("index", d.index)
        .Field("name", d.name)
        .Field("computeCapability", std::to_string(d.major) + "." + std::to_string(d.minor))
        .Field("totalMemory", static_cast<unsigned long long>(d.total_memory))
        .Field("multiprocessors", d.multiprocessors)
        .Field("memoryBusBits", d.memory_bus_bits)
        .Field("l2Bytes", d.l2_bytes)
        .EndObject();
  json.EndArray().EndObject();
}

int Finish(JsonWriter& json, const Options& o, int code,
           std::chrono::steady_clock::time_point started) {
  json.Field("elapsedS",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  json.Field("exitCode", code);
  json.EndObject();
  if (o.json_path.empty()) {
    std::printf("%s\n", json.str().c_str());
  } else {
    std::ofstream file(o.json_path);
    file << json.str() << "\n";
    if (!file) {
      std::fprintf(stderr, "could not write %s\n", o.json_path.c_str());
      return 2;
    }
  }
  return code;
}

int Run(const Options& o) {
  const auto started = std::chrono::steady_clock::now();
  JsonWriter json;
  json.BeginObject().Field("tool", "recmesh-cuda-harness");
  const cuda::Probe probe = cuda::ProbeDevices();
  WriteProbe(probe, json);
  if (!probe.unavailable.empty() || o.device >= static_cast<int>(probe.devices.size())) {
    const std::string reason = !probe.unavailable.empty()
                                   ? probe.unavailable
                                   : "no device: there is no GPU " + std::to_string(o.device);
    std::fprintf(stderr, "recmesh-cuda-harness: no usable GPU: %s\n", reason.c_str());
    json.Field("available", false).Field("reason", reason);
    return Finish(json, o, 3, started);
  }
  json.Field("available", true).Field("device", o.device);

  cuda::LanePool pool;
  const cuda::Status opened = pool.Init(o.device, o.lanes);
  if (!opened.ok()) {
    std::fprintf(stderr, "recmesh-cuda-harness: %s\n", opened.message().c_str());
    json.Field("error", opened.message());
    return Finish(json, o, 2, started);
  }

  json.BeginObject("parity");
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  auto section = std::chrono::steady_clock::now();
  const bool gather_ok = GatherParity(pool, json);
  const bool faults_ok = FaultChecks(pool, json);
  json.Field("gatherSeconds", seconds_since(section));
  section = std::chrono::steady_clock::now();
  const bool dense_ok = DenseParity(pool, json);
  json.Field("denseSeconds", seconds_since(section));
  const bool parity_ok = gather_ok && faults_ok && dense_ok;
  json.Field("pass", parity_ok).EndObject();
  std::fprintf(stderr, "parity: gather %s, faults %s, dense %s\n", gather_ok ? "pass" : "FAIL",
               faults_ok ? "pass" : "FAIL", dense_ok ? "pass" : "FAIL");

  int code = parity_ok ? 0 : 1;
  if (o.bench) {
    double copy_gbs = 0;
    size_t copy_bytes = 0;
    const cuda::Status copied =
        CopyBandwidth(o.device, o.bench_options.measure_s, &copy_gbs, &copy_bytes);
    if (!copied.ok()) {
      std::fprintf(stderr, "recmesh-cuda-harness: %s\n", copied.message().c_str());
      json.Field("error", copied.message());
      return Finish(json, o, 2, started);
    }
    json.BeginObject("copyBandwidth")
        .Field("deviceToDeviceGBs", copy_gbs)
        .Field("bytes", static_cast<unsigned long long>(copy_bytes))
        .Field("counts", "bytes read + bytes written per second (bandwidthTest's convention)")
        .EndObject();
    std::fprintf(stderr, "device-to-device copy: %.1f GB/s\n", copy_gbs);

    json.BeginObject("throughput");
    double fraction = 0, rmc3_sps = 0;
    JsonWriter gather;
    const cuda::Status g = GatherThroughput(pool, o.bench_options, copy_gbs, gather, &fraction);
    if (g.ok())
      json.Raw("gather", gather.str());
    else
      json.Field("gatherError", g.message());
    JsonWriter dense;
    const cuda::Status d = DenseThroughput(pool, o.bench_options, dense, &rmc3_sps);
    if (d.ok())
      json.Raw("dense", dense.str());
    else
      json.Field("denseError", d.message());
    json.EndObject();
    if (!g.ok() || !d.ok()) {
      std::fprintf(stderr, "recmesh-cuda-harness: %s\n", (!g.ok() ? g : d).message().c_str());
      code = 2;
    }

    json.BeginObject("targets");
    json.BeginObject("gatherFp32ShareOfCopyBandwidth")
        .Field("table", std::to_string(o.bench_options.rows) + " x " +
                            std::to_string(o.bench_options.dim) + " fp32")
        .Field("value", fraction)
        .Field("target", 0.5)
        .Field("pass", g.ok() && fraction >= 0.5)
        .EndObject();
    if (o.cpu_rmc3_sps > 0 && rmc3_sps > 0) {  // measured only when 1024 is among the batches
      json.BeginObject("rmc3DenseSpeedupOverCpu")
          .Field("batch", 1024)
          .Field("gpuSamplesPerS", rmc3_sps)
          .Field("gpuPath", "lanes: pageable host in, copies and kernels, host out")
          .Field("cpuSamplesPerS", o.cpu_rmc3_sps)
          .Field("cpuSource", o.cpu_source)
          .Field("value", rmc3_sps / o.cpu_rmc3_sps)
          .Field("target", 10.0)
          .Field("pass", d.ok() && rmc3_sps >= 10 * o.cpu_rmc3_sps)
          .EndObject();
    } else {
      json.Null("rmc3DenseSpeedupOverCpu");
    }
    json.EndObject();
    std::fprintf(stderr, "gather fp32 %.0f%% of copy bandwidth; RMC3 batch 1024 %.0f samples/s\n",
                 fraction * 100, rmc3_sps);
  }
  return Finish(json, o, code, started);
}

}  // namespace
}  // namespace recmesh::harness

int main(int argc, char** argv) {
  recmesh::harness::Options options;
  if (!recmesh::harness::Parse(argc, argv, &options)) {
    std::fputs(recmesh::harness::kUsage, stderr);
    return 2;
  }
  return recmesh::harness::Run(options);
}
