import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An XML element with its prefix split off and its attributes, in document order. */
export interface XmlNode {
  readonly local: string;
  readonly prefix: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  readonly text: string;
}

const ordered = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toNode(entry: Ordered): XmlNode | undefined {
  const tag = Object.keys(entry).find((key) => key !== ':@');
  if (!tag || tag === '#text' || tag.startsWith('?') || tag === '#comment') return undefined;
  const [prefix, local] = tag.includes(':') ? tag.split(':', 2) : ['', tag];
  const content = (entry[tag] as Ordered[]) ?? [];
  const children = content.map(toNode).filter((node): node is XmlNode => node !== undefined);
  const text = content
    .map((child) =>
      typeof child['#text'] === 'string' || typeof child['#text'] === 'number' ? String(child['#text']) : '',
    )
    .join('');
  return { local, prefix, attrs: entry[':@'] ?? {}, children, text };
}

/** Parses XML into element nodes (fast-xml-parser); throws with the parser's reason when it is not well-formed. */
export function parseXmlTree(xml: string): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const root = (ordered.parse(xml) as Ordered[]).map(toNode).find((node): node is XmlNode => node !== undefined);
  if (!root) throw new Error('no root element');
  return root;
}

export const childrenNamed = (node: XmlNode, local: string) => node.children.filter((child) => child.local === local);
export const childNamed = (node: XmlNode, local: string) => node.children.find((child) => child.local === local);
