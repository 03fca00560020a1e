import type { XmlNode } from './xml-tree';
import type { Shape, SoapTypeMapper } from './soap-type-mapper';

const INTEGER_TYPES = new Set(['int', 'short', 'byte', 'unsignedShort', 'unsignedByte']);
const FLOAT_TYPES = new Set(['float', 'double']);

const isNil = (node: XmlNode) =>
  Object.entries(node.attrs).some(
    ([name, value]) => (name === 'nil' || name.endsWith(':nil')) && (value === 'true' || value === '1'),
  );

function attributeValue(node: XmlNode, name: string): string | undefined {
  for (const [attribute, value] of Object.entries(node.attrs))
    if (attribute === name || attribute.endsWith(`:${name}`)) return value;
  return undefined;
}

/** Any XML as JSON: leaves are their text, repeated children become arrays. */
export function xmlToJson(node: XmlNode): unknown {
  if (node.children.length === 0) return node.text;
  const result: Record<string, unknown> = {};
  for (const child of node.children) {
    const value = xmlToJson(child);
    const existing = result[child.local];
    result[child.local] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

function scalarFromText(text: string, xsd: string): unknown {
  if (INTEGER_TYPES.has(xsd)) return Number.parseInt(text, 10);
  if (FLOAT_TYPES.has(xsd)) return text === 'INF' ? Infinity : text === '-INF' ? -Infinity : Number.parseFloat(text);
  if (xsd === 'boolean') return text === 'true' || text === '1';
  return text;
}

/** An XML element as the value of its GraphQL type (single element vs list, empty elements, xsi:nil). */
export function fromXml(node: XmlNode, shape: Shape, mapper: SoapTypeMapper): unknown {
  if (isNil(node)) return null;
  if (shape.kind === 'scalar') return shape.xsd === 'anyType' ? xmlToJson(node) : scalarFromText(node.text, shape.xsd);
  if (shape.kind === 'enum') return node.text;
  const complex = shape.complex;
  const result: Record<string, unknown> = {};
  for (const [field, name] of mapper.namedFields(complex)) {
    const fieldShape = mapper.shapeOf(field.type, field.name);
    if (field.attribute) {
      const value = attributeValue(node, field.name);
      result[name] =
        value === undefined ? null : fieldShape.kind === 'scalar' ? scalarFromText(value, fieldShape.xsd) : value;
      continue;
    }
    const matches = node.children.filter((child) => child.local === field.name);
    result[name] =
      field.max > 1
        ? matches.map((child) => fromXml(child, fieldShape, mapper))
        : matches[0]
          ? fromXml(matches[0], fieldShape, mapper)
          : null;
  }
  if (complex.value) {
    const valueShape = mapper.shapeOf(complex.value, 'value');
    result._value = valueShape.kind === 'scalar' ? scalarFromText(node.text, valueShape.xsd) : node.text;
  }
  return result;
}

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] ?? char,
  );
}

/** Namespace URI -> prefix, declared once on the envelope. */
export class NamespacePrefixes {
  private readonly prefixes = new Map<string, string>();

  prefixFor(ns: string): string {
    if (!ns) return '';
    let prefix = this.prefixes.get(ns);
    if (!prefix) this.prefixes.set(ns, (prefix = `ns${this.prefixes.size}`));
    return prefix;
  }

  declarations(): string {
    return [...this.prefixes].map(([ns, prefix]) => ` xmlns:${prefix}="${escapeXml(ns)}"`).join('');
  }
}

function scalarText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One element (or a repeated one, for lists) for a GraphQL value. */
export function toXml(
  name: string,
  ns: string,
  value: unknown,
  shape: Shape,
  mapper: SoapTypeMapper,
  prefixes: NamespacePrefixes,
): string {
  if (value === undefined) return '';
  const prefix = prefixes.prefixFor(ns);
  const tag = prefix ? `${prefix}:${name}` : name;
  if (Array.isArray(value)) return value.map((item) => toXml(name, ns, item, shape, mapper, prefixes)).join('');
  if (value === null) return `<${tag} xsi:nil="true"/>`;
  if (shape.kind !== 'object') return `<${tag}>${escapeXml(scalarText(value))}</${tag}>`;
  const complex = shape.complex;
  const input = value as Record<string, unknown>;
  let attributes = '';
  let content = '';
  for (const [field, fieldName] of mapper.namedFields(complex)) {
    const fieldValue = input[fieldName];
    if (fieldValue === undefined || (field.attribute && fieldValue === null)) continue;
    if (field.attribute) attributes += ` ${field.name}="${escapeXml(scalarText(fieldValue))}"`;
    else content += toXml(field.name, field.ns, fieldValue, mapper.shapeOf(field.type, field.name), mapper, prefixes);
  }
  if (complex.value && input._value !== undefined) content += escapeXml(scalarText(input._value));
  return `<${tag}${attributes}>${content}</${tag}>`;
}
