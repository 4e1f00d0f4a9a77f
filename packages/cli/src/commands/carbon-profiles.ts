import { Command } from 'commander';
import { loadProfiles } from '@recmesh/carbon-io';
import { printJson, r3, table } from '../output';

/** `recmesh carbon profiles`: the hardware profiles, checked, with their embodied carbon. */
export function carbonProfilesCommand(): Command {
  return new Command('profiles')
    .description(
      'check and list the hardware profiles (shipped ones and --dir), with ACT embodied carbon',
    )
    .option(
      '--dir <folder...>',
      'folders of your own profiles (YAML/JSON), overriding shipped ones by name',
    )
    .option('--json', 'print one JSON object (last line of stdout)')
    .action((opts: { dir?: string[]; json?: boolean }) => {
      const profiles = [...loadProfiles(opts.dir ?? []).values()];
      const out = profiles.map((p) => ({
        name: p.name,
        kind: p.kind,
        embodied_kg: p.embodied.totalKg,
        units: p.capacity.units,
        unit: p.capacity.unit,
        idle_w: p.power.idleW,
        max_w: p.power.maxW,
        lifetime_years: p.lifetime.years,
        sources: {
          capacity: p.capacity.source,
          power: p.power.source,
          lifetime: p.lifetime.source,
        },
      }));
      if (opts.json === true) {
        printJson({ profiles: out });
        return;
      }
      const rows = [
        ['PROFILE', 'KIND', 'EMBODIED kg', 'SHARED BY', 'IDLE W', 'MAX W', 'LIFETIME y'],
        ...out.map((p) => [
          p.name,
          p.kind,
          r3(p.embodied_kg).toFixed(3),
          `${p.units} ${p.unit}${p.units === 1 ? '' : 's'}`,
          String(p.idle_w),
          String(p.max_w),
          String(p.lifetime_years),
        ]),
      ];
      process.stdout.write(`${table(rows)}\n`);
    });
}
