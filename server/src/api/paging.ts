// Cursor pagination: lists answer { data, next } where `next` is an opaque cursor (or null at the
// end); pass it back as ?cursor= to get the following page. Cursors encode the last row's sort key
// (keyset pagination: stable under inserts, no OFFSET scans). A cursor that is not one of ours is a
// 400 CLUTCH_BAD_CURSOR.
import Type from 'typebox';
import { createError } from '../errors.ts';

export const BadCursor = createError('CLUTCH_BAD_CURSOR', 'the cursor is not one this list gave out (%s); start again without it', 400);

export const CursorParam = Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'The `next` of the previous page.' }));
export const LimitParam = (max: number, dflt: number) => Type.Integer({ minimum: 1, maximum: max, default: dflt, description: `Page size (1–${max}).` });
export const Page = <T extends Type.TSchema>(item: T) => Type.Object({ data: Type.Array(item), next: Type.Union([Type.String(), Type.Null()], { description: 'Cursor of the next page; null on the last one.' }) });

export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The cursor's fields, checked to be the strings/numbers the list expects. */
export function decodeCursor<K extends string>(cursor: string | undefined, fields: Record<K, 'string' | 'number'>): Record<K, string | number> | undefined {
  if (cursor === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursor('not readable');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadCursor('not readable');
  const out = {} as Record<K, string | number>;
  for (const [k, type] of Object.entries(fields) as Array<[K, 'string' | 'number']>) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x !== type) throw new BadCursor(`no ${k}`);
    out[k] = x as string | number;
  }
  return out;
}

/** The page and its next cursor: `rows` holds up to limit + 1 rows (one more says there is a next page). */
export function page<R, O>(rows: readonly R[], limit: number, present: (r: R) => O, keyOf: (r: R) => Record<string, string | number>): { data: O[]; next: string | null } {
  const shown = rows.slice(0, limit);
  return { data: shown.map(present), next: rows.length > limit ? encodeCursor(keyOf(shown[shown.length - 1]!)) : null };
}
