import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { PolicyOptionError } from './option-checks';

/**
 * Fails at start-up when a policy names a type or `Type.field` this BFF's
 * schema does not have: a typo (or a view that hides it) would otherwise
 * silently switch the setting off.
 */
export function requireSchemaCoordinates(
  policy: string,
  option: string,
  schema: GraphQLSchema,
  coordinates: Iterable<string>,
): void {
  for (const coordinate of coordinates) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!type) throw new PolicyOptionError(policy, `${option}: type "${typeName}" is not in this BFF's schema`);
    if (fieldName === undefined) continue;
    const hasField = (isObjectType(type) || isInterfaceType(type)) && type.getFields()[fieldName] !== undefined;
    if (!hasField) throw new PolicyOptionError(policy, `${option}: field "${coordinate}" is not in this BFF's schema`);
  }
}
