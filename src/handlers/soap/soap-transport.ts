import { createHash, randomBytes } from 'node:crypto';
import { soapFault, upstreamBadResponse, upstreamHttpError } from '../../core/errors';
import type { UpstreamFetch } from '../../upstream/create-http-client';
import type { SoapSourceOptions } from './soap-source-options';
import type { SoapVersion } from './read-wsdl';
import { childNamed, parseXmlTree, type XmlNode } from './xml-tree';
import { escapeXml, xmlToJson, type NamespacePrefixes } from './soap-values';

const ENVELOPE_NS: Record<SoapVersion, string> = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
};
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const TOKEN_PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';

type SoapAuth = SoapSourceOptions['auth'];

/** WS-Security UsernameToken (PasswordText, or PasswordDigest with nonce and timestamp). */
function securityHeader(auth: SoapAuth): string {
  const token = auth?.wsSecurity;
  if (!token) return '';
  let password = `<wsse:Password Type="${TOKEN_PROFILE}#PasswordText">${escapeXml(token.password)}</wsse:Password>`;
  let extra = '';
  if (token.passwordType === 'PasswordDigest') {
    const nonce = randomBytes(16);
    const created = new Date().toISOString();
    const digest = createHash('sha1')
      .update(Buffer.concat([nonce, Buffer.from(created + token.password)]))
      .digest('base64');
    password = `<wsse:Password Type="${TOKEN_PROFILE}#PasswordDigest">${digest}</wsse:Password>`;
    extra = `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created>`;
  }
  return `<wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" soap:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>${escapeXml(token.username)}</wsse:Username>${password}${extra}</wsse:UsernameToken></wsse:Security>`;
}

export function buildEnvelope(version: SoapVersion, body: string, prefixes: NamespacePrefixes, auth: SoapAuth): string {
  const header = securityHeader(auth);
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ENVELOPE_NS[version]}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"${prefixes.declarations()}>` +
    `${header ? `<soap:Header>${header}</soap:Header>` : ''}<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

function httpHeaders(
  version: SoapVersion,
  action: string,
  auth: SoapAuth,
  extra: Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> =
    version === '1.1'
      ? { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }
      : { 'content-type': `application/soap+xml; charset=utf-8${action ? `; action="${action}"` : ''}` };
  if (auth?.basic)
    headers.authorization = `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
  return { ...extra, ...headers };
}

function readFault(fault: XmlNode): { faultcode: string; faultstring: string; detail?: unknown } {
  const code = childNamed(fault, 'Code');
  if (code) {
    // SOAP 1.2: Code/Value (+ Subcode), Reason/Text, Detail
    const subcode = childNamed(childNamed(code, 'Subcode') ?? code, 'Value');
    const detail = childNamed(fault, 'Detail');
    return {
      faultcode:
        subcode && subcode !== childNamed(code, 'Value')
          ? `${childNamed(code, 'Value')?.text}/${subcode.text}`
          : (childNamed(code, 'Value')?.text ?? ''),
      faultstring: childNamed(childNamed(fault, 'Reason') ?? fault, 'Text')?.text ?? '',
      ...(detail && { detail: xmlToJson(detail) }),
    };
  }
  const detail = childNamed(fault, 'detail');
  return {
    faultcode: childNamed(fault, 'faultcode')?.text ?? '',
    faultstring: childNamed(fault, 'faultstring')?.text ?? '',
    ...(detail && { detail: xmlToJson(detail) }),
  };
}

export interface SoapCall {
  source: string;
  endpoint: string;
  version: SoapVersion;
  action: string;
  envelope: string;
  auth: SoapAuth;
  headers: Record<string, string>;
  fetch: UpstreamFetch;
}

/**
 * Sends an envelope and returns the Body's first element. A fault (whatever
 * the HTTP status) is SOAP_FAULT; XML that does not parse or has no Body is
 * UPSTREAM_BAD_RESPONSE; another non-2xx is UPSTREAM_HTTP_ERROR.
 */
export async function callSoap({
  source,
  endpoint,
  version,
  action,
  envelope,
  auth,
  headers,
  fetch,
}: SoapCall): Promise<XmlNode | undefined> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: httpHeaders(version, action, auth, headers),
    body: envelope,
  });
  const text = await response.text();
  let root: XmlNode;
  try {
    root = parseXmlTree(text);
  } catch (error) {
    if (response.status >= 200 && response.status < 300)
      throw upstreamBadResponse(source, (error as Error).message, response.status);
    throw upstreamHttpError(source, response.status);
  }
  const body = root.local === 'Envelope' ? childNamed(root, 'Body') : undefined;
  if (!body) {
    if (response.status >= 200 && response.status < 300)
      throw upstreamBadResponse(source, `expected a SOAP Envelope with a Body, got <${root.local}>`, response.status);
    throw upstreamHttpError(source, response.status);
  }
  const first = body.children[0];
  if (first?.local === 'Fault') throw soapFault(source, readFault(first), response.status);
  if (response.status < 200 || response.status > 299) throw upstreamHttpError(source, response.status);
  return first;
}
