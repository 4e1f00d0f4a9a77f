import { Command } from 'commander';
import { carbonEmbodiedCommand } from './carbon-embodied';
import { carbonEnergyCommand } from './carbon-energy';
import { carbonGridCommand } from './carbon-grid';
import { carbonProfilesCommand } from './carbon-profiles';
import { carbonReportCommand } from './carbon-report';

/** `recmesh carbon ...`: the carbon model and the ledger's books. */
export function carbonCommand(): Command {
  return new Command('carbon')
    .description(
      "carbon: embodied carbon of hardware (ACT), energy meters, the ledger's reports, the grid feed",
    )
    .addCommand(carbonReportCommand())
    .addCommand(carbonGridCommand())
    .addCommand(carbonEmbodiedCommand())
    .addCommand(carbonProfilesCommand())
    .addCommand(carbonEnergyCommand());
}
