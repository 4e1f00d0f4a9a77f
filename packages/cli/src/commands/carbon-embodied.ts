import { Command } from 'commander';
import { readBomFile } from '@recmesh/carbon-io';
import { printJson, table } from '../output';

const kg = (x: number) => x.toFixed(3);

/** `recmesh carbon embodied --bom FILE`: ACT's embodied carbon of a bill of materials. */
export function carbonEmbodiedCommand(): Command {
  return new Command('embodied')
    .description(
      "embodied carbon of a bill of materials in ACT's format (its silicon section), per part and in total, kg CO2e",
    )
    .requiredOption('--bom <file>', 'bill of materials, YAML (e.g. ACT act/boms/dellr740.yaml)')
    .option('--json', 'print one JSON object (last line of stdout): total_kg and parts')
    .action((opts: { bom: string; json?: boolean }) => {
      const { name, embodied } = readBomFile(opts.bom);
      const parts = embodied.parts.map((p) => ({
        name: p.name,
        model: p.model,
        process: p.process,
        fabrication_kg: p.fabricationKg,
        packaging_kg: p.packagingKg,
        total_kg: p.totalKg,
      }));
      if (opts.json === true) {
        printJson({
          bom: name,
          total_kg: embodied.totalKg,
          fabrication_kg: embodied.fabricationKg,
          packaging_kg: embodied.packagingKg,
          parts,
          model: 'ACT (ISCA 2022) embodied model, version 2 tables; silicon only',
        });
        return;
      }
      const rows = [
        ['PART', 'MODEL', 'PROCESS', 'FABRICATION kg', 'PACKAGING kg', 'TOTAL kg'],
        ...parts.map((p) => [
          p.name,
          p.model,
          p.process,
          kg(p.fabrication_kg),
          kg(p.packaging_kg),
          kg(p.total_kg),
        ]),
        [
          'total',
          '',
          '',
          kg(embodied.fabricationKg),
          kg(embodied.packagingKg),
          kg(embodied.totalKg),
        ],
      ];
      process.stdout.write(`${name}\n\n${table(rows)}\n`);
    });
}
