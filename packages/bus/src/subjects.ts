/**
 * Every NATS subject and stream of one mesh. The mesh name prefixes all of them so that several
 * meshes (a test run beside a developer's `recmesh up`) can share one NATS server.
 */
export interface Subjects {
  /** `…announce.<role>`: a service's announcement, republished every heartbeat. */
  readonly announce: (role: string) => string;
  readonly announceAll: string;
  /** `…leave.<role>`: a service going away on purpose. */
  readonly leave: (role: string) => string;
  readonly leaveAll: string;
  /** Asks every service to announce itself now (a new orchestrator learns the mesh at once). */
  readonly discover: string;
  /**
   * Asks every service that reads a model repository to rescan it and load new versions (a
   * request: each replies with what it loaded, refused and retired).
   */
  readonly modelsReload: string;
  /** `…usage.<role>`: usage events, captured by the usage stream. */
  readonly usage: (role: string) => string;
  readonly usageAll: string;
  /** JetStream stream that holds the usage events. */
  readonly usageStream: string;
  /** `…grid.<region>`: grid carbon intensity points (a live feed), kept in the grid stream. */
  readonly grid: (region: string) => string;
  readonly gridAll: string;
  /** JetStream stream that holds the grid points, so a late starter replays the series. */
  readonly gridStream: string;
}

export function subjectsFor(mesh: string): Subjects {
  const p = `recmesh.${mesh}`;
  return {
    announce: (role) => `${p}.announce.${role}`,
    announceAll: `${p}.announce.>`,
    leave: (role) => `${p}.leave.${role}`,
    leaveAll: `${p}.leave.>`,
    discover: `${p}.discover`,
    modelsReload: `${p}.models.reload`,
    usage: (role) => `${p}.usage.${role}`,
    usageAll: `${p}.usage.>`,
    usageStream: `RECMESH_USAGE_${mesh.replace(/[^A-Za-z0-9_-]/g, '_')}`,
    grid: (region) => `${p}.grid.${region}`,
    gridAll: `${p}.grid.>`,
    gridStream: `RECMESH_GRID_${mesh.replace(/[^A-Za-z0-9_-]/g, '_')}`,
  };
}
