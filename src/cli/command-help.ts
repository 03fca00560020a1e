/**
 * The help texts: `loom --help` (every command, option and environment
 * variable), and `loom help <command>` / `loom <command> --help` (one
 * command's usage, options, environment and examples).
 */

const EXIT_CODES = 'Exit codes: 0 ok, 1 error (bad config, breaking changes, cannot listen), 2 usage.';

const CONFIG_OPTION = '  -c, --config <file>   config file (default: mesh.config.ts)';
const QUIET_OPTION = '  -q, --quiet           no progress lines on stderr';

const TRACING_ENV = `  LOOM_OTLP_ENDPOINT                   OTLP/HTTP base URL spans go to (over the OTEL_* endpoints)
  OTEL_EXPORTER_OTLP_ENDPOINT          OTLP base URL (standard; /v1/traces is appended)
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   OTLP traces URL, used as is
  OTEL_EXPORTER_OTLP_PROTOCOL          http/protobuf (default) or http/json
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL   the same, for traces only (wins)
  OTEL_EXPORTER_OTLP_HEADERS           exporter headers, e.g. authorization=Bearer%20x
  OTEL_EXPORTER_OTLP_TRACES_HEADERS    the same, for traces only
  OTEL_SERVICE_NAME                    service.name of spans (default: config serviceName, else loom)
  OTEL_RESOURCE_ATTRIBUTES             extra resource attributes, e.g. deployment.environment=prod
  OTEL_TRACES_SAMPLER                  always_on, always_off, traceidratio, parentbased_always_on,
                                       parentbased_always_off, parentbased_traceidratio (over sampleRatio)
  OTEL_TRACES_SAMPLER_ARG              the ratio of the traceidratio samplers, 0..1
  OTEL_SDK_DISABLED=true               export no spans (traceparent is still passed on)`;

const SERVE_ENV = `  LOOM_HOST                            host to bind (--host wins; e.g. 0.0.0.0 in a container)
  LOOM_SCHEMA_CACHE                    generated source schemas: off, or a folder (default: config schemaCache)
  LOOM_RUN_TS=1                        run the TypeScript sources even when dist/ (npm run build) is up to date
  LOOM_LOG_LEVEL                       log level: trace, debug, info, warn, error (default: info)
  NODE_ENV=production                  masked errors, no field suggestions (config \`production\` wins)
${TRACING_ENV}
  The demo config (mesh.config.ts) also reads PORT, LOOM_REDIS_URL, LOOM_CATALOG_URL,
  LOOM_ORDERS_URL, LOOM_BILLING_URL and DEMO_CATALOG_API_KEY; --demo binds free ports
  unless LOOM_DEMO_CATALOG_PORT, LOOM_DEMO_ORDERS_PORT or LOOM_DEMO_BILLING_PORT is set,
  and its token issuer 4104 (when free) unless LOOM_DEMO_ISSUER_PORT is set. The demo BFFs
  read LOOM_DEMO_JWKS_URL and LOOM_DEMO_IOT_API_KEY.`;

const CONFIG_ENV = `  Config files may read any variable (the demo reads LOOM_*_URL, see loom help serve).`;

export interface CommandHelp {
  readonly usage: string;
  readonly summary: string;
  readonly options: string;
  readonly environment: string;
  readonly examples: string;
}

export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  serve: {
    usage: 'loom serve [--config mesh.config.ts] [--port 4000] [--host 127.0.0.1] [--demo] [--watch] [--quiet]',
    summary: `Serves every BFF of the config on one port (the default command): /<bff>/graphql,
/healthz, /readyz, /metrics and the portal at /. TLS, the admin port and
compression come from the config (tls, admin, compression). Prints the
addresses on stdout once ready, progress on stderr. On SIGTERM/SIGINT it drains
(up to shutdownTimeoutMs) and exits 0, or 1 if the deadline cut requests.`,
    options: `${CONFIG_OPTION}
  -p, --port <n>        port to listen on (default: config port, else 4000)
      --host <host>     host to bind (default: LOOM_HOST, else config host, else 127.0.0.1)
      --demo            also start the demo backends (REST catalog, gRPC orders, SOAP billing)
      --watch           reload when the config, sources/ or BFF files change (SIGHUP reloads too)
      --workers <n|auto>  n worker processes on the one port (node:cluster; auto: one per core)
${QUIET_OPTION}`,
    environment: SERVE_ENV,
    examples: `  loom serve --config mesh.config.ts --port 8080
  LOOM_HOST=0.0.0.0 loom serve                     # in a container
  OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 OTEL_SERVICE_NAME=bff loom serve`,
  },
  compose: {
    usage: 'loom compose [--config mesh.config.ts] [--quiet]',
    summary: `Composes the graph and writes schema/<bff>.graphql (sorted, stable) for every
BFF: the baseline loom check compares against. Lists the files on stdout.`,
    options: `${CONFIG_OPTION}\n${QUIET_OPTION}`,
    environment: CONFIG_ENV,
    examples: `  loom compose && git add schema/`,
  },
  check: {
    usage: 'loom check [--config mesh.config.ts] [--quiet]',
    summary: `Composes the graph and compares every BFF's schema with its snapshot (and
persisted operations). The report goes to stdout; exits 1 on a breaking
change, a missing snapshot or a persisted operation that no longer validates.`,
    options: `${CONFIG_OPTION}\n${QUIET_OPTION}`,
    environment: CONFIG_ENV,
    examples: `  loom check > schema-report.txt   # progress stays on stderr`,
  },
  sources: {
    usage: `loom sources add <name> --openapi|--proto|--wsdl <file|url> --endpoint <url>
         [--include-dir <dir>]... [--prefix <p>] [--force] [--dry-run] [--timeout <ms>]
       loom sources list
       loom sources remove <name> [--dry-run]`,
    summary: `Registers a backend team's source. add reads the spec (a file or an http(s)
URL) and everything it imports (proto imports, XSD imports and includes,
external $refs), composes the whole gateway with it and builds every BFF
exactly as serve does, reports every naming clash at once, and only then copies
the closure to sources/<name>/ and adds the source to the config (an edit of
the config's syntax tree). Any failure writes nothing. remove runs the same
dry run without the source, then deletes it.`,
    options: `${CONFIG_OPTION}
      --openapi <file>     an OpenAPI 3 spec (YAML or JSON), file or URL
      --proto <file>       a .proto file (gRPC), file or URL
      --wsdl <file>        a WSDL file (SOAP), file or URL
      --endpoint <url>     where the backend answers (host:port for gRPC)
      --include-dir <dir>  a directory proto imports resolve against (repeatable)
      --prefix <p>         prefix the new source's types and root fields (resolves naming clashes)
      --force              replace an existing sources/<name>/ and config entry
      --dry-run            check everything, write nothing
      --timeout <ms>       longest a spec URL may take (default 30000)`,
    environment: '  none',
    examples: `  loom sources add inventory --openapi ./inventory.yaml --endpoint http://inventory:8080
  loom sources add stock --proto ./stock.proto --include-dir ./protos --endpoint stock:50051
  loom sources add petstore --openapi https://specs.internal/petstore.yaml --prefix Pet --dry-run
  loom sources remove stock`,
  },
};

/** `loom help <command>` / `loom <command> --help`. */
export function commandHelp(name: string): string | undefined {
  const help = Object.hasOwn(COMMAND_HELP, name) ? COMMAND_HELP[name] : undefined;
  if (!help) return undefined;
  return `Usage: ${help.usage}

${help.summary}

Options:
${help.options}
  -h, --help            show this help

Environment:
${help.environment}

Examples:
${help.examples}

${EXIT_CODES}
`;
}

/** `loom --help`. */
export const HELP = `loom: a GraphQL BFF gateway

Usage:
  loom serve   [--config mesh.config.ts] [--port 4000] [--host h] [--demo]   serve every BFF on one port (default command)
  loom compose [--config mesh.config.ts]                                      write schema/<bff>.graphql snapshots
  loom check   [--config mesh.config.ts]                                      compare with the snapshots; exit 1 on breaking changes
  loom sources add <name> --openapi|--proto|--wsdl <file|url> --endpoint <url> [--prefix p] [--dry-run]
  loom sources list | remove <name>                                           the config's sources; take one out
  loom help <command>                                                         usage, environment and examples of one command

Options:
  -c, --config <file>   config file (default: mesh.config.ts)
  -p, --port <n>        port to listen on (default: config port or 4000)
      --host <host>     host to bind (default: LOOM_HOST, else config host, else 127.0.0.1)
      --demo            also start the demo backends (REST catalog, gRPC orders, SOAP billing)
      --watch           serve: reload when the config, sources/ or BFF files change (SIGHUP reloads too)
      --workers <n|auto>  serve: n worker processes on the one port (auto: one per core)
  -q, --quiet           no progress lines on stderr
  -h, --help            show this help
  -v, --version         print the version

Environment:
${SERVE_ENV}

Progress lines (loading, composing) go to stderr; stdout carries only the
command's output (addresses, written files, the check report).

${EXIT_CODES}
`;
