import { Command } from 'commander';
import { benchServeCommand } from './bench-serve';

/** `recmesh bench ...`: benchmarks that print figures (and save them as JSON), not tests. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('benchmarks: figures for people and tools to compare')
    .addCommand(benchServeCommand());
}
