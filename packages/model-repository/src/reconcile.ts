import { errorMessage } from './error-message';
import { checkVersionFiles } from './files';
import { readVersion, scanRepository, type ModelVersion, type RepositoryScan } from './repository';

/** One model version in a report. */
export interface VersionRef {
  readonly model: string;
  readonly version: number;
}

/** A version that was not loaded, and why (the message names the file and the mismatch). */
export interface Refusal extends VersionRef {
  readonly error: string;
}

/** What a (re)load did. */
export interface ReloadReport {
  readonly loaded: readonly VersionRef[];
  readonly refused: readonly Refusal[];
  /** Versions superseded or removed: kept for queries pinned to them, then released. */
  readonly retired: readonly VersionRef[];
  /** Folders of the repository that are not models. */
  readonly problems: readonly string[];
}

/** How a service holds versions: which it serves, how it loads one, how it lets one go. */
export interface VersionLoader {
  /** The version of `model` the service serves now, if any. */
  serving(model: string): number | undefined;
  /** Models the service holds (any version). */
  held(): readonly string[];
  /** Loads a version beside the others (checks the files it reads); throws to refuse it. */
  load(version: ModelVersion): Promise<void>;
  /** Every version of `model` starts retiring (the model left the repository). */
  retire(model: string): void;
  /** Serves a version still held (retiring) again; false when it is not held. */
  revive?(model: string, version: number): boolean;
}

/**
 * Brings a service in line with the repository: for every model, the newest version whose
 * manifest and files pass is loaded unless it is already served; a newer version that fails is
 * refused and the one served keeps serving (at start, with nothing served, older versions are
 * tried in turn). Models gone from the repository retire. Never throws for a bad model.
 */
export async function reconcile(
  root: string,
  loader: VersionLoader,
  only?: (model: string) => boolean,
): Promise<ReloadReport> {
  const loaded: VersionRef[] = [];
  const refused: Refusal[] = [];
  const retired: VersionRef[] = [];
  let scan: RepositoryScan;
  try {
    scan = scanRepository(root);
  } catch (err) {
    return {
      loaded,
      refused: [{ model: '*', version: 0, error: errorMessage(err) }],
      retired,
      problems: [],
    };
  }
  for (const [model, entries] of scan.models) {
    if (only !== undefined && !only(model)) continue;
    const serving = loader.serving(model);
    for (const entry of entries) {
      if (entry.version === serving) break;
      try {
        if (loader.revive?.(model, entry.version) === true) {
          loaded.push({ model, version: entry.version });
          if (serving !== undefined) retired.push({ model, version: serving });
          break;
        }
        const version = readVersion(entry);
        checkVersionFiles(version);
        await loader.load(version);
        loaded.push({ model, version: entry.version });
        if (serving !== undefined) retired.push({ model, version: serving });
        break;
      } catch (err) {
        refused.push({ model, version: entry.version, error: errorMessage(err) });
      }
    }
  }
  for (const model of loader.held()) {
    if (scan.models.has(model) || (only !== undefined && !only(model))) continue;
    const serving = loader.serving(model);
    loader.retire(model);
    if (serving !== undefined) retired.push({ model, version: serving });
  }
  return { loaded, refused, retired, problems: scan.problems };
}
