import * as grpc from '@grpc/grpc-js';

export interface GrpcEndpointChannelOptions {
  /** host:port */
  address: string;
  credentials: grpc.ChannelCredentials;
  /** Longest one connection attempt may stay CONNECTING before the channel is replaced. */
  connectTimeoutMs: number;
  /** Told when a stuck channel is replaced. */
  onChannelReplaced?: (stuckForMs: number) => void;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  // A replacement channel must get subchannels of its own: from the process-wide
  // pool it could take back the stuck one it replaces.
  'grpc.use_local_subchannel_pool': 1,
};

/** One gRPC channel to one endpoint, replaced when it stays stuck connecting. */
export class GrpcEndpointChannel {
  private current: grpc.Client;
  private closed = false;

  constructor(private readonly options: GrpcEndpointChannelOptions) {
    this.current = this.openChannel();
  }

  /** The live client; read it per call, since a stuck channel is swapped for a fresh one. */
  get client(): grpc.Client {
    return this.current;
  }

  private openChannel(): grpc.Client {
    const client = new grpc.Client(this.options.address, this.options.credentials, CHANNEL_OPTIONS);
    this.boundHandshakes(client);
    return client;
  }

  /**
   * grpc-js puts no deadline on a connection attempt: an endpoint that accepts
   * TCP but never sends its HTTP/2 SETTINGS keeps the channel CONNECTING for
   * good, and every call fails "Waiting for LB pick" long after the endpoint
   * heals. So each stay in CONNECTING gets `connectTimeoutMs`; past it the
   * channel is replaced by a fresh one, whose first call connects anew.
   * Calls still waiting on the stuck channel fail at once with UNAVAILABLE
   * rather than at their deadline. (The stuck socket itself is grpc-js's; it
   * goes when the peer closes it.)
   */
  private boundHandshakes(client: grpc.Client): void {
    const channel = client.getChannel();
    const state = channel.getConnectivityState(false);
    if (state === grpc.connectivityState.SHUTDOWN) return;
    const connecting = state === grpc.connectivityState.CONNECTING;
    const since = Date.now();
    channel.watchConnectivityState(
      state,
      connecting ? since + this.options.connectTimeoutMs : Infinity,
      (deadlinePassed) => {
        if (client !== this.current || this.closed) return;
        if (!deadlinePassed) return this.boundHandshakes(client);
        this.current = this.openChannel();
        client.close();
        this.options.onChannelReplaced?.(Date.now() - since);
      },
    );
  }

  close(): void {
    this.closed = true;
    this.current.close();
  }
}
