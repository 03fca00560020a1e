/**
 * What `loom serve --demo` needs from demo/start-demo-backends.ts. Declared
 * here, not imported from demo/, so the compiled build (rootDir src) does not
 * pull the demo's sources in; the demo checks itself against it (`satisfies`).
 */
export interface DemoBackendsHandle {
  readonly catalog: { readonly url: string };
  readonly orders: { readonly url: string };
  readonly billing: { readonly url: string };
  readonly issuer: { readonly jwksUrl: string };
  readonly banner: readonly string[];
  close(): Promise<void>;
}

export interface DemoModule {
  /** Reads LOOM_DEMO_*_PORT; returns the ports to pass to startDemoBackends. */
  demoPortsFromEnv(): object;
  startDemoBackends(ports: object): Promise<DemoBackendsHandle>;
}
