import { RenameRootFields, RenameTypes } from '@graphql-tools/wrap';
import type { Transform } from '@graphql-tools/delegate';
import type { SourceRenameOptions } from '../handlers/types';

/** graphql-tools transforms for a source's `rename` options; none when there is nothing to rename. */
export function createRenameTransforms(rename: SourceRenameOptions | undefined): Transform[] {
  if (!rename) return [];
  const transforms: Transform[] = [];
  const { typePrefix, types = {}, rootFieldPrefix, rootFields = {} } = rename;
  if (typePrefix || Object.keys(types).length > 0) {
    transforms.push(
      new RenameTypes((name) => types[name] ?? (typePrefix ? `${typePrefix}${name}` : name), {
        renameBuiltins: false,
        renameScalars: false,
      }),
    );
  }
  if (rootFieldPrefix || Object.keys(rootFields).length > 0) {
    transforms.push(
      new RenameRootFields(
        (operation, name) =>
          rootFields[`${operation}.${name}`] ?? (rootFieldPrefix ? `${rootFieldPrefix}${name}` : name),
      ),
    );
  }
  return transforms;
}
