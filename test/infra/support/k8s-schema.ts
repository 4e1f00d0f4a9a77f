import { join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './repo';

/** The kubernetes-models module of an object's apiVersion and kind (core group: `v1/Kind`). */
export function modelPath(o: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  return `kubernetes-models/${o.apiVersion}/${o.kind}`;
}

/**
 * Validates `o` against the Kubernetes OpenAPI schema of its kind (kubernetes-models: types,
 * required fields, enums, formats). Returns the problems, empty when valid.
 */
export function schemaProblems(o: K8sObject): string[] {
  let Model: new (data: unknown) => { validate(): void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(modelPath(o)) as Record<string, typeof Model>;
    Model = module[o.kind] as typeof Model;
  } catch {
    return [`${o.apiVersion} ${o.kind} is not a Kubernetes kind kubernetes-models knows`];
  }
  // kustomize wraps long base64 values over lines; the API server's decoder (Go's base64) skips
  // newlines, the schema's `byte` format does not: compare what the server will read.
  const data =
    o.kind === 'Secret' && o.data !== undefined
      ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, v.replace(/\n/g, '')]))
      : undefined;
  try {
    new Model(data === undefined ? o : { ...o, data }).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/**
 * Fields the schema does not know (a misspelt `readinesProbe` passes JSON-schema validation,
 * since Kubernetes' schemas allow extra properties; the API server would drop it). Each object
 * becomes an object literal typed as its kubernetes-models interface, and TypeScript's
 * excess-property check reports every unknown field, at any depth.
 */
export function unknownFields(objects: readonly K8sObject[]): string[] {
  const file = join(__dirname, '__manifests__.ts');
  const lines = objects.map(
    (o, i) =>
      `import type { I${o.kind} as T${i} } from '${modelPath(o)}';\n` +
      `export const o${i}: T${i} = ${JSON.stringify(o)};`,
  );
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, language)
      : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const at = d.file === undefined || d.start === undefined ? -1 : d.start;
    const line = at < 0 ? -1 : source.slice(0, at).split('\n').length - 1;
    const index = Math.floor(line / 2);
    const o = objects[index];
    const where = o === undefined ? '' : `${o.kind}/${o.metadata.name}: `;
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0];
  });
}
