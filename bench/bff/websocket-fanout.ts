import { defineBff } from '../../src/bff/define-bff';

/** Room for the fan-out benchmark: every socket and subscription comes from one address. */
export default defineBff({
  introspection: true,
  subscriptions: { maxPerClient: 5_000 },
  // A loaded machine may take a while to answer connection_init: the benchmark measures steady state.
  websocket: { maxConnectionsPerIp: 5_000, connectionInitTimeoutMs: 120_000 },
});
