import type { Plugin } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import { requestForbidden } from '../../core/errors';
import { requireStringList } from '../shared/option-checks';

export interface CsrfGuardOptions {
  /**
   * Headers of which one must be present on a request a browser could send
   * without a CORS preflight (GET, or POST as form/multipart/text). JSON POSTs
   * are preflighted and pass. @default ['x-graphql-csrf']
   */
  requestHeaders?: string[];
}

/**
 * CSRF prevention on yoga's plugin: a "simple" request (one a hostile page can
 * send cross-site without a preflight) must carry a custom header. Refusals are
 * our 403 FORBIDDEN instead of the plugin's code-less error.
 */
/** The header a simple (non-preflighted) request must carry unless told otherwise. */
export const DEFAULT_CSRF_HEADERS = ['x-graphql-csrf'];

export function useCsrfGuard({ requestHeaders = DEFAULT_CSRF_HEADERS }: CsrfGuardOptions = {}): Plugin {
  requireStringList('useCsrfGuard', 'requestHeaders', requestHeaders);
  const csrf = useCSRFPrevention({ requestHeaders });
  const check = csrf.onRequestParse;
  return {
    onRequestParse(payload) {
      try {
        return check?.(payload);
      } catch (error) {
        if (error instanceof GraphQLError)
          throw requestForbidden(`Required CSRF header missing: send one of ${requestHeaders.join(', ')}`);
        throw error;
      }
    },
  };
}
