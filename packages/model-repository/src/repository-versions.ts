import { HeldVersions, type HeldVersionsOptions } from './held-versions';
import { reconcile, type ReloadReport } from './reconcile';
import type { ModelVersion } from './repository';

export interface RepositoryVersionsOptions<T> extends HeldVersionsOptions<T> {
  /** The model repository (RECMESH_MODEL_REPOSITORY); undefined: built-in models only. */
  readonly repository: string | undefined;
  /** Loads what the service holds of a version (sessions, table partitions); throws to refuse. */
  readonly load: (version: ModelVersion) => Promise<T>;
}

/**
 * The versions a service holds, kept in line with the model repository: built-in models added
 * once (never retired), repository models loaded by `reload` (the newest valid version beside the
 * one served, which then retires; refused versions leave the served one serving).
 */
export class RepositoryVersions<T> extends HeldVersions<T> {
  private readonly fromRepository = new Set<string>();

  constructor(private readonly repo: RepositoryVersionsOptions<T>) {
    super(repo);
  }

  /** Rescans the repository; never throws for a bad model (see reconcile). */
  reload(): Promise<ReloadReport> {
    const root = this.repo.repository;
    if (root === undefined)
      return Promise.resolve({ loaded: [], refused: [], retired: [], problems: [] });
    return reconcile(root, {
      serving: (model) => this.serving(model),
      held: () => [...this.fromRepository],
      load: async (version) => {
        const value = await this.repo.load(version);
        this.fromRepository.add(version.spec.name);
        this.add(version.spec.name, version.spec.version, value);
      },
      retire: (model) => this.retire(model),
      revive: (model, version) => this.revive(model, version),
    });
  }
}
