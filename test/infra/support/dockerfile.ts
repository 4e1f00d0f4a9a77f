import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { read } from './repo';

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** A Dockerfile of infra/docker, cut into its stages. */
export function dockerfile(service: string) {
  const path = `infra/docker/${service}.Dockerfile`;
  const text = read(path);
  const parsed = DockerfileParser.parse(text);
  const stages: Stage[] = [];
  for (const instruction of parsed.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = parsed
        .getFROMs()
        .find((f) => f.getRange().start.line === instruction.getRange().start.line);
      stages.push({
        image: `${from?.getImageName()}:${from?.getImageTag()}`,
        name: from?.getBuildStage() ?? undefined,
        instructions: [],
      });
    } else stages.at(-1)?.instructions.push(instruction);
  }
  const final = stages.at(-1) as Stage;
  const of = (stage: Stage, keyword: string) =>
    stage.instructions.filter((i) => i.getKeyword() === keyword);
  const env = new Map<string, string>();
  for (const i of of(final, 'ENV'))
    for (const p of (
      i as unknown as { getProperties(): { getName(): string; getValue(): string }[] }
    ).getProperties())
      env.set(p.getName(), p.getValue());
  return {
    path,
    text,
    stages,
    final,
    of,
    /** ENV of the image that runs. */
    env,
    port: Number(env.get('RECMESH_PORT')),
    /** Arguments of an instruction as written (continuations joined). */
    args: (i: Instruction) => i.getArgumentsContent() ?? '',
  };
}
