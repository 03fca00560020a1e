import { Kind, type ArgumentNode, type FieldNode, type GraphQLFieldConfig } from 'graphql';
import { TransformObjectFields } from '@graphql-tools/wrap';
import { settingsOf, type ArgumentSetting, type ArgumentSettings } from './argument-settings';

const argumentNode = (name: string, value: ArgumentNode['value']): ArgumentNode => ({
  kind: Kind.ARGUMENT,
  name: { kind: Kind.NAME, value: name },
  value,
});

/**
 * Hidden arguments and defaults on fields below the root, where the value has
 * to travel inside the delegated selection: the field loses the hidden
 * argument in the view, and each request's field node gets the literal back
 * (fixed values always, defaults when the client left the argument out).
 */
export function createNestedArgumentsTransform({
  hidden,
  defaults,
}: ArgumentSettings): TransformObjectFields<Record<string, unknown>> {
  // Looked up per field node per request, so built once here.
  const byField = new Map<
    string,
    { fixed: Map<string, ArgumentSetting>; changedDefaults: Map<string, ArgumentSetting> }
  >();
  for (const { typeName, fieldName } of [...hidden, ...defaults]) {
    byField.set(`${typeName}.${fieldName}`, {
      fixed: settingsOf(hidden, typeName, fieldName),
      changedDefaults: settingsOf(defaults, typeName, fieldName),
    });
  }
  const transformField = (
    typeName: string,
    fieldName: string,
    fieldConfig: GraphQLFieldConfig<unknown, Record<string, unknown>>,
  ) => {
    const settings = byField.get(`${typeName}.${fieldName}`);
    if (!settings) return undefined;
    const { fixed, changedDefaults } = settings;
    const args = Object.fromEntries(
      Object.entries(fieldConfig.args ?? {})
        .filter(([argumentName]) => !fixed.has(argumentName))
        .map(([argumentName, argument]) => {
          const setting = changedDefaults.get(argumentName);
          return [argumentName, setting ? { ...argument, defaultValue: setting.value } : argument];
        }),
    );
    return { ...fieldConfig, args };
  };
  const transformFieldNode = (typeName: string, fieldName: string, fieldNode: FieldNode): FieldNode => {
    const settings = byField.get(`${typeName}.${fieldName}`);
    if (!settings) return fieldNode;
    const { fixed, changedDefaults } = settings;
    const sent = new Set((fieldNode.arguments ?? []).map((argument) => argument.name.value));
    const added = [
      ...[...fixed.values()].map((setting) => argumentNode(setting.argumentName, setting.valueNode)),
      ...[...changedDefaults.values()]
        .filter((setting) => !sent.has(setting.argumentName))
        .map((setting) => argumentNode(setting.argumentName, setting.valueNode)),
    ];
    return {
      ...fieldNode,
      arguments: [...(fieldNode.arguments ?? []).filter((argument) => !fixed.has(argument.name.value)), ...added],
    };
  };
  return new TransformObjectFields(transformField, transformFieldNode);
}
