/**
 * A field that crosses sources, e.g. `Order.customer` resolved by the catalog
 * source's `getCustomer(id: $source.customerId)`.
 */
export interface LinkConfig {
  /** Field to add, as `Type.field`, e.g. `Order.customer`. */
  field: string;
  /** Root field of the target (after renames) that resolves one entity, e.g. `getCustomer`. */
  resolveWith: string;
  /** Arguments of `resolveWith`; `$source.<field>` reads from the parent object. */
  args: Record<string, string>;
  /** Batching: detect a batch endpoint ('auto'), require one ('force') or never batch ('off'). @default 'auto' */
  batch?: 'auto' | 'force' | 'off';
  /** Explicit batch endpoint when detection is not wanted: root field and its keys argument. */
  batchWith?: { field: string; keysArgument: string; keyField?: string };
}
