import { basename, dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { importDlrm } from '@recmesh/dlrm-import';
import { MODEL_NAME } from '@recmesh/model-repository';
import { invalidArgument } from '@recmesh/errors';
import { num } from '../mesh-options';
import { info, printJson } from '../output';

interface ImportFlags {
  onnx: string;
  out: string;
  name?: string;
  version?: number;
  tolerance: number;
  samples: number;
  seed: number;
  p95TargetMs?: number;
  json?: boolean;
}

/**
 * Name and version of the model folder: the flags, else the folder's place in a repository
 * (`<repo>/<name>/<version>`), else the export's folder name and 1.
 */
function identity(opts: ImportFlags): { name: string; version: number } {
  const out = resolve(opts.out);
  const inRepo = /^[1-9][0-9]*$/.test(basename(out));
  const name =
    opts.name ?? (inRepo ? basename(dirname(out)) : basename(dirname(resolve(opts.onnx))));
  if (!MODEL_NAME.test(name))
    throw invalidArgument('--name', name, 'a model name is letters, digits, _ . - (pass --name)');
  return { name, version: opts.version ?? (inRepo ? Number(basename(out)) : 1) };
}

export function importCommand(): Command {
  const dlrm = new Command('dlrm')
    .description(
      'turn a DLRM exported to ONNX by the DLRM reference (emb_l, bot_l, top_l; EmbeddingBag as Loop) into a recmesh model folder: tables as .npy, the dense graph rebuilt, a manifest; verified against the export on random samples',
    )
    .requiredOption('--onnx <file>', 'the export (model.onnx)')
    .requiredOption(
      '--out <dir>',
      'model folder to write; <repository>/<name>/<version> puts it in a model repository',
    )
    .option(
      '--name <name>',
      "model name (default: the repository folder's, or the export's folder)",
    )
    .addOption(
      new Option('--version <n>', 'model version (default: the folder name, or 1)').argParser(
        num('--version', { int: true, min: 1 }),
      ),
    )
    .addOption(
      new Option('--tolerance <abs>', 'largest |original - imported| prediction accepted')
        .default(1e-5)
        .argParser(num('--tolerance', { min: 0 })),
    )
    .addOption(
      new Option('--samples <n>', 'random samples both pipelines score')
        .default(512)
        .argParser(num('--samples', { int: true, min: 1 })),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the random samples')
        .default(1)
        .argParser(num('--seed', { int: true, min: 0 })),
    )
    .addOption(
      new Option('--p95-target-ms <ms>', "the model's medium p95 target (default 100)").argParser(
        num('--p95-target-ms', { min: 0.001 }),
      ),
    )
    .option('--json', 'print the result as one JSON object (last line of stdout)')
    .action(async (opts: ImportFlags) => {
      const { name, version } = identity(opts);
      info(`import dlrm: ${opts.onnx} -> ${opts.out} (${name} version ${version})`);
      const { manifest, model, verification } = await importDlrm({
        onnx: opts.onnx,
        out: opts.out,
        name,
        version,
        tolerance: opts.tolerance,
        samples: opts.samples,
        seed: opts.seed,
        ...(opts.p95TargetMs === undefined ? {} : { p95TargetMs: opts.p95TargetMs }),
      });
      const result = {
        model: manifest.name,
        version: manifest.version,
        out: resolve(opts.out),
        interaction: model.interaction,
        evidence: model.evidence,
        dense_features: model.denseFeatures,
        dim: model.dim,
        table_rows: model.tables.map((t) => t.dims[0]),
        bottom_mlp: [model.denseFeatures, ...model.bottom.map((l) => l.outputs)],
        top_mlp: [model.top[0]?.inputs, ...model.top.map((l) => l.outputs)],
        verified_samples: verification.samples,
        max_abs_error: verification.maxAbsError,
        tolerance: opts.tolerance,
      };
      if (opts.json === true) {
        printJson(result);
        return;
      }
      process.stdout.write(
        `imported ${result.model} version ${result.version} into ${result.out}\n` +
          `  interaction  ${result.interaction} (${result.evidence})\n` +
          `  tables       ${result.table_rows.length} x dim ${result.dim}: rows ${result.table_rows.join(', ')}\n` +
          `  bottom MLP   ${result.bottom_mlp.join('-')}\n` +
          `  top MLP      ${result.top_mlp.join('-')}\n` +
          `  verified     ${result.verified_samples} random samples against the export: max |error| ${result.max_abs_error} (tolerance ${result.tolerance})\n`,
      );
    });
  return new Command('import')
    .description('import a trained model into a recmesh model folder')
    .addCommand(dlrm);
}
