// The one validator every schema uses: a shape table checked against a parsed JSON value. Each
// schema declares its TypeScript type and a table keyed by that type's fields (`ShapeOf<T>`), so
// a field added to the type without a check is a type error. Extra fields are kept, not refused:
// a newer writer may add fields an older reader ignores.

/** A field's JSON kind; a trailing `?` makes it optional (absent or undefined). */
export type Kind =
  | 'number'
  | 'string'
  | 'boolean'
  | 'number|null'
  | 'string[]'
  | 'number[]'
  | 'record<number>'
  | 'record<string>'
  | 'object'
  | 'array';

/** One field of a shape: a kind, an optional kind, or a nested shape (optionally `{ optional: shape }`). */
export type Field = Kind | `${Kind}?` | Shape | { optional: Shape };

/** A table of fields. */
export interface Shape {
  readonly [field: string]: Field;
}

/** A shape table for type T: every field of T has an entry, and no other. */
export type ShapeOf<T> = { readonly [K in keyof Required<T>]: Field };

/** A value read from another process did not have the declared shape. */
export class SchemaError extends Error {
  readonly code = 'C1M_SCHEMA_INVALID';

  constructor(
    /** What was being read, e.g. "ready line". */
    readonly what: string,
    /** Where in it, e.g. "connections.peak". */
    readonly path: string,
    readonly expected: string,
  ) {
    super(`C1M_SCHEMA_INVALID: ${what}: ${path || 'value'} must be ${expected}`);
    this.name = 'SchemaError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

const KIND_CHECKS: Record<Kind, (v: unknown) => boolean> = {
  number: isFiniteNumber,
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  'number|null': (v) => v === null || isFiniteNumber(v),
  'string[]': (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  'number[]': (v) => Array.isArray(v) && v.every(isFiniteNumber),
  'record<number>': (v) => isObject(v) && Object.values(v).every(isFiniteNumber),
  'record<string>': (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'),
  object: isObject,
  array: Array.isArray,
};

function checkField(what: string, path: string, value: unknown, field: Field): void {
  if (typeof field === 'string') {
    const optional = field.endsWith('?');
    const kind = (optional ? field.slice(0, -1) : field) as Kind;
    if (optional && value === undefined) return;
    if (!KIND_CHECKS[kind](value)) throw new SchemaError(what, path, optional ? `${kind} or absent` : kind);
    return;
  }
  if ('optional' in field && isObject(field.optional)) {
    if (value === undefined) return;
    checkShape(what, value, field.optional as Shape, path);
    return;
  }
  checkShape(what, value, field as Shape, path);
}

/** Throws SchemaError unless `value` is an object with every field of `shape`. */
export function checkShape(
  what: string,
  value: unknown,
  shape: Shape,
  path = '',
): asserts value is Record<string, unknown> {
  if (!isObject(value)) throw new SchemaError(what, path, 'an object');
  for (const [key, field] of Object.entries(shape)) checkField(what, path ? `${path}.${key}` : key, value[key], field);
}

/** Throws SchemaError unless `value[key]` is one of `choices`. */
export function checkChoice(
  what: string,
  value: Record<string, unknown>,
  key: string,
  choices: readonly unknown[],
): void {
  if (!choices.includes(value[key]))
    throw new SchemaError(what, key, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
}

/**
 * A validator for type T: checks `shape`, then that each field named in `choices` holds one of
 * its values. Throws SchemaError (C1M_SCHEMA_INVALID) naming what was read and the bad field.
 */
export function shapeParser<T>(
  what: string,
  shape: ShapeOf<T>,
  choices: { readonly [K in keyof T]?: readonly unknown[] } = {},
): (value: unknown) => T {
  return (value) => {
    checkShape(what, value, shape as Shape);
    for (const [key, values] of Object.entries(choices)) checkChoice(what, value, key, values as readonly unknown[]);
    return value as T;
  };
}

/** Parses one line of JSON; undefined when it is not a JSON object (log lines, partial writes). */
export function jsonObjectLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
