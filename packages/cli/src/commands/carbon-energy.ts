import { Command } from 'commander';
import { createEnergyMeter, RaplReader } from '@recmesh/carbon-io';
import { printJson } from '../output';

/** `recmesh carbon energy`: which energy counters this machine lets recmesh read. */
export function carbonEnergyCommand(): Command {
  return new Command('energy')
    .description(
      'show which energy counters (RAPL, nvidia-smi) recmesh can read here, and what a service would use',
    )
    .option('--json', 'print one JSON object (last line of stdout)')
    .action(async (opts: { json?: boolean }) => {
      const rapl = new RaplReader();
      const cpu = await createEnergyMeter({ mode: 'auto', backend: 'cpu' });
      const gpu = await createEnergyMeter({ mode: 'auto', backend: 'cuda' });
      const out = {
        rapl: { readable: rapl.available, domains: rapl.domainNames, problems: rapl.problems },
        cpu_services: { method: cpu.method, meter: cpu.description },
        gpu_services: { method: gpu.method, meter: gpu.description },
      };
      if (opts.json === true) printJson(out);
      else {
        process.stdout.write(
          `CPU services: ${out.cpu_services.method} (${out.cpu_services.meter})\n`,
        );
        process.stdout.write(
          `GPU services: ${out.gpu_services.method} (${out.gpu_services.meter})\n`,
        );
      }
    });
}
