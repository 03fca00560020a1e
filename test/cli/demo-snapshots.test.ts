import { join } from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { REPO_ROOT } from '../helpers/test-gateway';

describe('the committed schema snapshots', () => {
  it('match what the demo config composes (run `npm run compose` after changing a source or a BFF)', async () => {
    let out = '';
    let err = '';
    const io: CliIo = { out: (text) => (out += text), err: (text) => (err += text) };
    const code = await main(['check', '--quiet', '--config', join(REPO_ROOT, 'mesh.config.ts')], io);
    expect(code).toBe(0);
    expect(out).not.toMatch(/BREAKING/);
    // with --quiet (no progress lines), the only thing on stderr is the load warning for the demo's client-streaming method
    expect(
      err
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).msg),
    ).toEqual([expect.stringContaining('ImportOrders is client-streaming: skipped')]);
  }, 30_000);
});
