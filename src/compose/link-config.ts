import { z } from 'zod';
import { nonEmptyString, oneOf, strictObject } from '../core/options-schema';

/**
 * A field that crosses sources, e.g. `Order.customer` resolved by the catalog
 * source's `getCustomer(id: $source.customerId)`.
 */
export const linkConfigSchema = strictObject({
  /** Field to add, as `Type.field`, e.g. `Order.customer`. */
  field: z
    .string({ error: 'must be written Type.field' })
    .regex(/^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/, { error: 'must be written Type.field' }),
  /** Root field of the target (after renames) that resolves one entity, e.g. `getCustomer`. */
  resolveWith: nonEmptyString(),
  /** Arguments of `resolveWith`; `$source.<field>` reads from the parent object. */
  args: z.record(z.string(), z.string({ error: 'must be a string' }), {
    error: 'must be an object of argument: value',
  }),
  /** Batching: detect a batch endpoint ('auto'), require one ('force') or never batch ('off'). @default 'auto' */
  batch: oneOf(['auto', 'force', 'off']).optional(),
  /** Explicit batch endpoint when detection is not wanted: root field and its keys argument. */
  batchWith: strictObject({
    field: nonEmptyString(),
    keysArgument: nonEmptyString(),
    keyField: nonEmptyString().optional(),
  }).optional(),
});

export type LinkConfig = z.input<typeof linkConfigSchema>;
