import { childNamed, type XmlNode } from './xml-tree';

export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const SOAP_ENCODING_NS = 'http://schemas.xmlsoap.org/soap/encoding/';

export interface QName {
  readonly ns: string;
  readonly local: string;
}

export const keyOf = (name: QName) => `{${name.ns}}${name.local}`;

export type TypeRef =
  | { readonly kind: 'builtin'; readonly local: string }
  | { readonly kind: 'named'; readonly name: QName }
  | { readonly kind: 'complex'; readonly type: XsdComplex }
  | { readonly kind: 'simple'; readonly type: XsdSimple }
  | { readonly kind: 'elementRef'; readonly name: QName };

export interface XsdField {
  /** XML name of the element or attribute. */
  readonly name: string;
  /** Namespace the element is written in ('' when unqualified). */
  readonly ns: string;
  readonly attribute: boolean;
  readonly min: number;
  /** Infinity for unbounded. */
  readonly max: number;
  readonly nillable: boolean;
  readonly type: TypeRef;
}

export interface XsdComplex {
  readonly name?: string;
  readonly ns: string;
  readonly fields: XsdField[];
  readonly base?: QName;
  /** simpleContent: the text value's type. */
  readonly value?: TypeRef;
}

export interface XsdSimple {
  readonly name?: string;
  readonly ns: string;
  readonly base?: QName;
  readonly enumeration: readonly string[];
}

export interface XsdElementDecl {
  readonly name: string;
  readonly ns: string;
  readonly type: TypeRef;
  readonly nillable: boolean;
}

export type Scope = Readonly<Record<string, string>>;

/** Adds a node's xmlns declarations to the scope it inherits. */
export function extendScope(scope: Scope, node: XmlNode): Scope {
  let extended: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(node.attrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      extended ??= { ...scope };
      extended[name === 'xmlns' ? '' : name.slice(6)] = value;
    }
  }
  return extended ?? scope;
}

export function resolveQName(value: string, scope: Scope): QName {
  const [prefix, local] = value.includes(':') ? value.split(':', 2) : ['', value];
  return { ns: scope[prefix] ?? '', local };
}

function occurs(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return value === 'unbounded' ? Infinity : Number(value);
}

/** Every global declaration of every schema the WSDL reaches, keyed by qualified name. */
export class XsdRegistry {
  readonly elements = new Map<string, XsdElementDecl>();
  readonly complexTypes = new Map<string, XsdComplex>();
  readonly simpleTypes = new Map<string, XsdSimple>();

  addSchema(schema: XmlNode, inherited: Scope): void {
    const scope = extendScope(inherited, schema);
    const targetNs = schema.attrs.targetNamespace ?? '';
    const qualified = schema.attrs.elementFormDefault === 'qualified';
    const reader = new SchemaReader(targetNs, qualified);
    for (const child of schema.children) {
      const childScope = extendScope(scope, child);
      const name = child.attrs.name;
      if (!name) continue;
      const key = keyOf({ ns: targetNs, local: name });
      if (child.local === 'element')
        this.elements.set(key, {
          name,
          ns: targetNs,
          type: reader.elementType(child, childScope),
          nillable: child.attrs.nillable === 'true',
        });
      else if (child.local === 'complexType') this.complexTypes.set(key, reader.complexType(child, childScope, name));
      else if (child.local === 'simpleType') this.simpleTypes.set(key, reader.simpleType(child, childScope, name));
    }
  }
}

class SchemaReader {
  constructor(
    private readonly targetNs: string,
    private readonly qualified: boolean,
  ) {}

  typeRef(value: string, scope: Scope): TypeRef {
    const name = resolveQName(value, scope);
    if (name.ns === XSD_NS || (name.ns === SOAP_ENCODING_NS && name.local !== 'Array'))
      return { kind: 'builtin', local: name.local };
    if (name.ns === SOAP_ENCODING_NS) return { kind: 'builtin', local: 'anyType' };
    return { kind: 'named', name };
  }

  elementType(node: XmlNode, scope: Scope): TypeRef {
    if (node.attrs.type) return this.typeRef(node.attrs.type, scope);
    const complex = childNamed(node, 'complexType');
    if (complex) return { kind: 'complex', type: this.complexType(complex, extendScope(scope, complex)) };
    const simple = childNamed(node, 'simpleType');
    if (simple) return { kind: 'simple', type: this.simpleType(simple, extendScope(scope, simple)) };
    return { kind: 'builtin', local: 'anyType' };
  }

  private field(node: XmlNode, scope: Scope, optional: boolean): XsdField | undefined {
    const min = optional ? 0 : occurs(node.attrs.minOccurs, 1);
    const max = occurs(node.attrs.maxOccurs, 1);
    if (node.attrs.ref) {
      const ref = resolveQName(node.attrs.ref, scope);
      return {
        name: ref.local,
        ns: ref.ns,
        attribute: false,
        min,
        max,
        nillable: false,
        type: { kind: 'elementRef', name: ref },
      };
    }
    if (!node.attrs.name) return undefined;
    const ns =
      node.attrs.form === 'qualified' || (node.attrs.form !== 'unqualified' && this.qualified) ? this.targetNs : '';
    return {
      name: node.attrs.name,
      ns,
      attribute: false,
      min,
      max,
      nillable: node.attrs.nillable === 'true',
      type: this.elementType(node, scope),
    };
  }

  private attribute(node: XmlNode, scope: Scope): XsdField | undefined {
    const name = node.attrs.name ?? (node.attrs.ref ? resolveQName(node.attrs.ref, scope).local : undefined);
    if (!name) return undefined;
    const type = node.attrs.type
      ? this.typeRef(node.attrs.type, scope)
      : childNamed(node, 'simpleType')
        ? { kind: 'simple' as const, type: this.simpleType(childNamed(node, 'simpleType')!, scope) }
        : { kind: 'builtin' as const, local: 'string' };
    return { name, ns: '', attribute: true, min: node.attrs.use === 'required' ? 1 : 0, max: 1, nillable: false, type };
  }

  /** Fields of a sequence/all/choice (nested groups flattened; choice members optional). */
  private particles(node: XmlNode, scope: Scope, optional: boolean, fields: XsdField[]): void {
    for (const child of node.children) {
      const childScope = extendScope(scope, child);
      if (child.local === 'element') {
        const field = this.field(child, childScope, optional);
        if (field) fields.push(field);
      } else if (child.local === 'sequence' || child.local === 'all') {
        this.particles(child, childScope, optional || child.attrs.minOccurs === '0', fields);
      } else if (child.local === 'choice') {
        this.particles(child, childScope, true, fields);
      }
    }
  }

  private attributes(node: XmlNode, scope: Scope, fields: XsdField[]): void {
    for (const child of node.children) {
      if (child.local !== 'attribute') continue;
      const field = this.attribute(child, extendScope(scope, child));
      if (field) fields.push(field);
    }
  }

  complexType(node: XmlNode, scope: Scope, name?: string): XsdComplex {
    const fields: XsdField[] = [];
    let base: QName | undefined;
    let value: TypeRef | undefined;
    for (const child of node.children) {
      const childScope = extendScope(scope, child);
      if (child.local === 'sequence' || child.local === 'all') this.particles(child, childScope, false, fields);
      else if (child.local === 'choice') this.particles(child, childScope, true, fields);
      else if (child.local === 'attribute') {
        const field = this.attribute(child, childScope);
        if (field) fields.push(field);
      } else if (child.local === 'complexContent' || child.local === 'simpleContent') {
        const derivation = child.children.find(
          (candidate) => candidate.local === 'extension' || candidate.local === 'restriction',
        );
        if (!derivation?.attrs.base) continue;
        const derivationScope = extendScope(childScope, derivation);
        const baseName = resolveQName(derivation.attrs.base, derivationScope);
        if (baseName.ns === SOAP_ENCODING_NS && baseName.local === 'Array') {
          return { name, ns: this.targetNs, fields: [arrayItemField(derivation, derivationScope, this)] };
        }
        if (child.local === 'simpleContent') value = this.typeRef(derivation.attrs.base, derivationScope);
        else if (derivation.local === 'extension') base = baseName;
        for (const part of derivation.children) {
          const partScope = extendScope(derivationScope, part);
          if (part.local === 'sequence' || part.local === 'all') this.particles(part, partScope, false, fields);
          else if (part.local === 'choice') this.particles(part, partScope, true, fields);
        }
        this.attributes(derivation, derivationScope, fields);
      }
    }
    const unique = fields.filter(
      (field, index) =>
        fields.findIndex((other) => other.name === field.name && other.attribute === field.attribute) === index,
    );
    return { name, ns: this.targetNs, fields: unique, base, value };
  }

  simpleType(node: XmlNode, scope: Scope, name?: string): XsdSimple {
    const restriction = childNamed(node, 'restriction');
    if (restriction) {
      const enumeration = restriction.children
        .filter((child) => child.local === 'enumeration')
        .map((child) => child.attrs.value ?? '');
      return {
        name,
        ns: this.targetNs,
        base: restriction.attrs.base
          ? resolveQName(restriction.attrs.base, extendScope(scope, restriction))
          : undefined,
        enumeration,
      };
    }
    return { name, ns: this.targetNs, base: { ns: XSD_NS, local: 'string' }, enumeration: [] };
  }
}

/** SOAP-encoded arrays (`wsdl:arrayType="xsd:string[]"`) become a repeated `item` element. */
function arrayItemField(derivation: XmlNode, scope: Scope, reader: SchemaReader): XsdField {
  const arrayAttribute = derivation.children.find(
    (child) =>
      child.local === 'attribute' &&
      Object.entries(child.attrs).some(([key, value]) => key.endsWith('arrayType') && value.includes('[')),
  );
  const declared =
    arrayAttribute &&
    Object.entries(arrayAttribute.attrs).find(([key]) => key.endsWith('arrayType') && key !== 'ref')?.[1];
  const itemType = declared
    ? reader.typeRef(declared.replace(/\[.*$/, ''), extendScope(scope, arrayAttribute!))
    : { kind: 'builtin' as const, local: 'anyType' };
  return { name: 'item', ns: '', attribute: false, min: 0, max: Infinity, nillable: true, type: itemType };
}
