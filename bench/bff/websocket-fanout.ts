import { defineBff } from '../../src/bff/define-bff';

/** Room for the fan-out benchmark: every socket and subscription comes from one address. */
export default defineBff({
  introspection: true,
  subscriptions: { maxPerClient: 5_000 },
  websocket: { maxConnectionsPerIp: 5_000 },
});
