import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  embodiedTotal,
  parseBom,
  parseProfile,
  type EmbodiedTotal,
  type HardwareProfile,
} from '@recmesh/carbon';
import { notFound, RecmeshError } from '@recmesh/errors';
import { readDoc } from './read-doc';

/** The profiles that ship with recmesh (@recmesh/carbon's profiles/ folder). */
export function shippedProfilesDir(): string {
  return join(dirname(require.resolve('@recmesh/carbon/package.json')), 'profiles');
}

const isProfileFile = (f: string) => /\.(ya?ml|json)$/.test(f);

/** One profile file, checked (errors name the file and the field). */
export function loadProfileFile(path: string): HardwareProfile {
  return parseProfile(readDoc(path), path);
}

/**
 * Every profile of the shipped folder and of `dirs` (later folders override earlier ones by
 * name). A malformed file is an error naming it: a profile is never skipped silently.
 */
export function loadProfiles(dirs: readonly string[] = []): Map<string, HardwareProfile> {
  const out = new Map<string, HardwareProfile>();
  for (const dir of [shippedProfilesDir(), ...dirs]) {
    let files: string[];
    try {
      files = readdirSync(dir).filter(isProfileFile).sort();
    } catch (err) {
      throw new RecmeshError('config', `profiles folder ${dir}: ${(err as Error).message}`, {
        field: dir,
      });
    }
    for (const f of files) {
      const profile = loadProfileFile(join(dir, f));
      out.set(profile.name, profile);
    }
  }
  return out;
}

/** A profile by name, or an error naming it and the profiles there are. */
export function pickProfile(
  profiles: ReadonlyMap<string, HardwareProfile>,
  name: string,
  field: string,
): HardwareProfile {
  const p = profiles.get(name);
  if (p === undefined)
    throw notFound(
      field,
      name,
      `unknown hardware profile; known: ${[...profiles.keys()].join(', ')}`,
    );
  return p;
}

/** The embodied carbon of an ACT bill-of-materials file, per part and in total. */
export function readBomFile(path: string): { name: string; embodied: EmbodiedTotal } {
  const bom = parseBom(readDoc(path), path);
  return { name: bom.name, embodied: embodiedTotal(bom.parts) };
}
