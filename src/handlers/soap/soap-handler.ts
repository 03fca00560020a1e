import { createDefaultExecutor } from '@graphql-tools/delegate';
import { ConfigError } from '../../core/errors';
import { createSourceHttpClient } from '../create-source-http-client';
import { findBatchEndpoints } from '../find-batch-endpoints';
import { firstEndpoint } from '../spec-location';
import { forwardedHeaders } from '../forwarded-headers';
import type { HandlerContext, LoadedSource, SourceHandler } from '../types';
import { buildSoapSchema } from './build-soap-schema';
import { withInternalQuery } from '../with-internal-query';
import { readWsdl } from './read-wsdl';
import { buildEnvelope, callSoap } from './soap-transport';
import type { SoapSourceOptions } from './soap-source-options';

export const soapHandler: SourceHandler<SoapSourceOptions> = {
  kind: 'soap',
  async load(source: SoapSourceOptions, context: HandlerContext): Promise<LoadedSource> {
    let wsdl;
    try {
      wsdl = await readWsdl(source.wsdl, source.soapVersion);
    } catch (error) {
      throw new ConfigError(
        `source "${source.name}": cannot load WSDL ${source.wsdl}: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    const endpoint = firstEndpoint(source.endpoint ?? wsdl.address);
    if (!endpoint)
      throw new ConfigError(`source "${source.name}": no endpoint in the config and no service address in the WSDL`);
    const client = createSourceHttpClient(source, context, wsdl.address);
    const forward = source.forwardHeaders?.map((header) => header.toLowerCase()) ?? [];
    const schema = buildSoapSchema({
      wsdl,
      operations: source.operations,
      caller: (operation, body, prefixes, requestContext) =>
        callSoap({
          source: source.name,
          endpoint,
          version: operation.soapVersion,
          action: operation.soapAction,
          envelope: buildEnvelope(operation.soapVersion, body, prefixes, source.auth),
          auth: source.auth,
          headers: {
            ...source.headers,
            ...forwardedHeaders(requestContext, forward, source.propagateRequestId !== false),
          },
          fetch: client.fetch,
        }),
    });
    return {
      name: source.name,
      kind: 'soap',
      schema,
      executor: createDefaultExecutor(withInternalQuery(schema)),
      batchEndpoints: findBatchEndpoints(schema),
      warnings: [],
      close: () => client.close(),
    };
  },
};
