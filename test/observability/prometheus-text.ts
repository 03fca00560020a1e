/** One sample of Prometheus text exposition: `name{label="value",...} number`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the text format; throws on a line it cannot read, so malformed output fails the test. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** Value of the one sample with this name and exactly these labels (0 when absent). */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples.filter(
    (sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted,
  );
  if (found.length > 1) throw new Error(`${name} ${wanted}: ${found.length} samples`);
  return found[0]?.value ?? 0;
}

/** Anything that answers a path of the gateway's HTTP surface: a TestGateway, in-process or over a socket. */
export interface PathFetcher {
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export async function scrape(gateway: PathFetcher): Promise<Sample[]> {
  const response = await gateway.fetch('/metrics');
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  expectTextFormat(response.headers.get('content-type'));
  return parsePrometheusText(await response.text());
}

function expectTextFormat(contentType: string | null) {
  if (!contentType?.startsWith('text/plain')) throw new Error(`unexpected /metrics content-type ${contentType}`);
}
