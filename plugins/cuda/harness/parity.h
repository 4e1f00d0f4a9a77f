// Parity of the GPU kernels with the CPU references, for every dtype, pooling mode, weighting and
// the dense graphs; and the device's own guard against bad indices and offsets.
#pragma once

#include "../native/kernels/runtime.h"
#include "json-writer.h"

namespace recmesh::harness {

/** Writes "gather": [...] and returns whether every case passed. */
bool GatherParity(cuda::LanePool& pool, JsonWriter& json);
/** Writes "faults": [...]: bad input is refused by position and leaves the device usable. */
bool FaultChecks(cuda::LanePool& pool, JsonWriter& json);
/** Writes "dense": [...]. */
bool DenseParity(cuda::LanePool& pool, JsonWriter& json);

}  // namespace recmesh::harness
