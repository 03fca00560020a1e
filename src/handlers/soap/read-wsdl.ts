import { dirname, resolve as resolvePath } from 'node:path';
import { isUrl, readLocation } from '../spec-location';
import { childNamed, childrenNamed, parseXmlTree, type XmlNode } from './xml-tree';
import { extendScope, resolveQName, XsdRegistry, type QName, type Scope } from './xsd-model';

const SOAP11_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
const SOAP12_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap12/';

export type SoapVersion = '1.1' | '1.2';

export interface MessagePart {
  readonly name: string;
  readonly element?: QName;
  readonly type?: QName;
}

export interface SoapOperation {
  readonly name: string;
  readonly soapAction: string;
  readonly style: 'document' | 'rpc';
  readonly soapVersion: SoapVersion;
  /** soap:body namespace (rpc wrapper namespace). */
  readonly bodyNamespace: string;
  readonly input: readonly MessagePart[];
  readonly output: readonly MessagePart[];
  readonly documentation?: string;
}

export interface WsdlModel {
  readonly targetNamespace: string;
  readonly operations: readonly SoapOperation[];
  /** The chosen port's address. */
  readonly address?: string;
  readonly soapVersion: SoapVersion;
  readonly schemas: XsdRegistry;
}

function relativeTo(base: string, location: string): string {
  if (isUrl(location)) return location;
  return isUrl(base) ? new URL(location, base).toString() : resolvePath(dirname(base), location);
}

interface LoadedDocuments {
  definitions: Array<{ node: XmlNode; scope: Scope }>;
  schemas: XsdRegistry;
}

/** Loads a WSDL with its wsdl:imports and every xsd:import/include that has a schemaLocation, once each. */
async function loadDocuments(location: string): Promise<LoadedDocuments> {
  const seen = new Set<string>();
  const loaded: LoadedDocuments = { definitions: [], schemas: new XsdRegistry() };
  const visitSchema = async (schema: XmlNode, scope: Scope, base: string) => {
    loaded.schemas.addSchema(schema, scope);
    for (const reference of schema.children.filter(
      (child) => (child.local === 'import' || child.local === 'include') && child.attrs.schemaLocation,
    )) {
      const target = relativeTo(base, reference.attrs.schemaLocation);
      if (seen.has(target)) continue;
      seen.add(target);
      const imported = parseXmlTree(await readLocation(target));
      await visitSchema(imported, extendScope({}, imported), target);
    }
  };
  const visitWsdl = async (target: string) => {
    seen.add(target);
    const definitions = parseXmlTree(await readLocation(target));
    if (definitions.local !== 'definitions')
      throw new Error(`${target} is not a WSDL 1.1 document (root element <${definitions.local}>)`);
    const scope = extendScope({}, definitions);
    loaded.definitions.push({ node: definitions, scope });
    for (const types of childrenNamed(definitions, 'types')) {
      for (const schema of childrenNamed(types, 'schema')) await visitSchema(schema, extendScope(scope, types), target);
    }
    for (const reference of childrenNamed(definitions, 'import')) {
      const next = reference.attrs.location && relativeTo(target, reference.attrs.location);
      if (next && !seen.has(next)) await visitWsdl(next);
    }
  };
  await visitWsdl(location);
  return loaded;
}

function findByName(
  documents: LoadedDocuments,
  kind: string,
  name: QName,
): { node: XmlNode; scope: Scope } | undefined {
  for (const { node, scope } of documents.definitions) {
    const found = childrenNamed(node, kind).find((child) => child.attrs.name === name.local);
    if (found) return { node: found, scope: extendScope(scope, found) };
  }
  return undefined;
}

function messageParts(documents: LoadedDocuments, reference: string | undefined, scope: Scope): MessagePart[] {
  if (!reference) return [];
  const message = findByName(documents, 'message', resolveQName(reference, scope));
  if (!message) return [];
  return childrenNamed(message.node, 'part').map((part) => ({
    name: part.attrs.name,
    element: part.attrs.element ? resolveQName(part.attrs.element, message.scope) : undefined,
    type: part.attrs.type ? resolveQName(part.attrs.type, message.scope) : undefined,
  }));
}

/** The SOAP binding element of a binding, and its version. */
function soapBindingOf(binding: XmlNode, scope: Scope): { node: XmlNode; version: SoapVersion } | undefined {
  for (const child of binding.children) {
    if (child.local !== 'binding') continue;
    const ns = scope[child.prefix] ?? '';
    if (ns === SOAP11_BINDING_NS) return { node: child, version: '1.1' };
    if (ns === SOAP12_BINDING_NS) return { node: child, version: '1.2' };
  }
  return undefined;
}

interface ChosenPort {
  binding: XmlNode;
  bindingScope: Scope;
  soapBinding: XmlNode;
  version: SoapVersion;
  address?: string;
}

/** Picks the service port to call: SOAP 1.1 when the service offers both (or `preferVersion`). */
function choosePort(documents: LoadedDocuments, preferVersion: SoapVersion): ChosenPort {
  const candidates: ChosenPort[] = [];
  for (const { node, scope } of documents.definitions) {
    for (const service of childrenNamed(node, 'service')) {
      for (const port of childrenNamed(service, 'port')) {
        const portScope = extendScope(extendScope(scope, service), port);
        const binding =
          port.attrs.binding && findByName(documents, 'binding', resolveQName(port.attrs.binding, portScope));
        const soap = binding && soapBindingOf(binding.node, binding.scope);
        if (!binding || !soap) continue;
        candidates.push({
          binding: binding.node,
          bindingScope: binding.scope,
          soapBinding: soap.node,
          version: soap.version,
          address: childNamed(port, 'address')?.attrs.location,
        });
      }
    }
  }
  // Bindings with no service port still describe callable operations (the endpoint comes from config).
  if (candidates.length === 0) {
    for (const { node, scope } of documents.definitions) {
      for (const binding of childrenNamed(node, 'binding')) {
        const bindingScope = extendScope(scope, binding);
        const soap = soapBindingOf(binding, bindingScope);
        if (soap) candidates.push({ binding, bindingScope, soapBinding: soap.node, version: soap.version });
      }
    }
  }
  const chosen = candidates.find((candidate) => candidate.version === preferVersion) ?? candidates[0];
  if (!chosen) throw new Error('the WSDL has no SOAP 1.1 or 1.2 binding');
  return chosen;
}

function readOperations(documents: LoadedDocuments, port: ChosenPort): SoapOperation[] {
  const portType =
    port.binding.attrs.type &&
    findByName(documents, 'portType', resolveQName(port.binding.attrs.type, port.bindingScope));
  if (!portType) throw new Error(`binding ${port.binding.attrs.name} names no known portType`);
  const defaultStyle = port.soapBinding.attrs.style === 'rpc' ? 'rpc' : 'document';
  return childrenNamed(port.binding, 'operation').map((bound) => {
    const abstract = childrenNamed(portType.node, 'operation').find(
      (candidate) => candidate.attrs.name === bound.attrs.name,
    );
    const soapOperation = childNamed(bound, 'operation');
    const body = childNamed(childNamed(bound, 'input') ?? bound, 'body');
    const style = (soapOperation?.attrs.style ?? defaultStyle) === 'rpc' ? 'rpc' : 'document';
    return {
      name: bound.attrs.name,
      soapAction: soapOperation?.attrs.soapAction ?? '',
      style,
      soapVersion: port.version,
      bodyNamespace: body?.attrs.namespace ?? '',
      input: messageParts(documents, childNamed(abstract ?? bound, 'input')?.attrs.message, portType.scope),
      output: messageParts(documents, childNamed(abstract ?? bound, 'output')?.attrs.message, portType.scope),
      documentation: childNamed(abstract ?? bound, 'documentation')?.text || undefined,
    } satisfies SoapOperation;
  });
}

/** Reads a WSDL 1.1 document (file or URL) into operations and schema declarations. */
export async function readWsdl(location: string, preferVersion: SoapVersion = '1.1'): Promise<WsdlModel> {
  const documents = await loadDocuments(location);
  const port = choosePort(documents, preferVersion);
  return {
    targetNamespace: documents.definitions[0].node.attrs.targetNamespace ?? '',
    operations: readOperations(documents, port),
    address: port.address,
    soapVersion: port.version,
    schemas: documents.schemas,
  };
}
