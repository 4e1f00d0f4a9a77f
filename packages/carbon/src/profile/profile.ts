import { invalidArgument } from '@recmesh/errors';
import { z } from 'zod';
import { parseSilicon } from '../act/bom';
import { embodiedTotal, type EmbodiedTotal } from '../act/embodied-total';
import type { BomPart } from '../act/bom';

/** What a busy second of this hardware is a second of: one core, one whole device, one rank. */
export const UNIT_OF_KIND = { 'cpu-server': 'core', gpu: 'device', 'nmp-memory': 'rank' } as const;
export type HardwareKind = keyof typeof UNIT_OF_KIND;

const source = z.string().trim().min(1, 'say where the number comes from, or "assumed: why"');

const schema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_", "-"'),
    kind: z.enum(Object.keys(UNIT_OF_KIND) as [HardwareKind, ...HardwareKind[]]),
    description: z.string().default(''),
    capacity: z
      .object({ units: z.number().int().min(1), unit: z.enum(['core', 'device', 'rank']), source })
      .strict(),
    lifetime: z.object({ years: z.number().positive().max(30), source }).strict(),
    power: z
      .object({ idle_w: z.number().nonnegative(), max_w: z.number().positive(), source })
      .strict()
      .refine((p) => p.max_w >= p.idle_w, { message: 'max_w must be >= idle_w', path: ['max_w'] }),
    silicon: z.record(z.string(), z.unknown()),
  })
  .strict();

/** A piece of hardware: its parts (ACT), capacity, lifetime and power model, with sources. */
export interface HardwareProfile {
  readonly name: string;
  readonly kind: HardwareKind;
  readonly description: string;
  /** Units that share the hardware: cores of a server, 1 for a GPU, ranks of NMP memory. */
  readonly capacity: { readonly units: number; readonly unit: string; readonly source: string };
  readonly lifetime: { readonly years: number; readonly source: string };
  /** Whole-hardware power at idle and at full load, W (IT power, no PUE). */
  readonly power: { readonly idleW: number; readonly maxW: number; readonly source: string };
  readonly parts: readonly BomPart[];
  /** Embodied carbon by ACT's model, from the parts. */
  readonly embodied: EmbodiedTotal;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const key of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[key];
  return v;
}

/**
 * Checks a profile document (parsed YAML or JSON). Every error names the file, the field and
 * the value; a part without its `source` is an error too, since every number needs one.
 */
export function parseProfile(doc: unknown, file = 'profile'): HardwareProfile {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = [...issue.path, ...('keys' in issue ? [String(issue.keys[0])] : [])];
    throw invalidArgument(
      `${file}: ${path.map(String).join('.') || '(document)'}`,
      valueAt(doc, path) ?? null,
      issue.message,
    );
  }
  const p = parsed.data;
  const unit = UNIT_OF_KIND[p.kind];
  if (p.capacity.unit !== unit)
    throw invalidArgument(
      `${file}: capacity.unit`,
      p.capacity.unit,
      `a ${p.kind} is shared by the ${unit}`,
    );
  const parts = parseSilicon(p.silicon, `${file}: silicon`);
  for (const part of parts)
    if (part.source === undefined)
      throw invalidArgument(
        `${part.field}.source`,
        null,
        'missing: say where the part figures come from',
      );
  return {
    name: p.name,
    kind: p.kind,
    description: p.description,
    capacity: p.capacity,
    lifetime: p.lifetime,
    power: { idleW: p.power.idle_w, maxW: p.power.max_w, source: p.power.source },
    parts,
    embodied: embodiedTotal(parts),
  };
}
