import { Writable } from 'node:stream';
import pino from 'pino';
import { createMeshLogger } from '../../src/handlers/openapi/mesh-logger';

/** Mesh's REST transport asks for a child logger per upstream call: its lines keep their bindings, and a silent one costs no pino child. */
describe('Mesh logger over pino', () => {
  const capture = (level: pino.Level) => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level, base: undefined, timestamp: false }, stream);
    return { lines, logger };
  };
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it("writes a child's lines with the child's bindings and the parent's", async () => {
    const { lines, logger } = capture('info');
    const mesh = createMeshLogger(logger.child({ source: 'shop' }));
    const call = mesh.child({ operation: 'Query.getUser' });
    call.warn('upstream said', { status: 502 });
    call.child('retry').error('gave up');
    mesh.info('plain');
    await flush();
    expect(lines).toEqual([
      { level: 40, source: 'shop', operation: 'Query.getUser', msg: 'upstream said {"status":502}' },
      { level: 50, source: 'shop', operation: 'Query.getUser', component: 'retry', msg: 'gave up' },
      { level: 30, source: 'shop', msg: 'plain' },
    ]);
  });

  it('writes nothing below the level and makes no pino child for it', async () => {
    const { lines, logger } = capture('info');
    const child = jest.spyOn(logger, 'child');
    const call = createMeshLogger(logger).child({ operation: 'Query.getUser' });
    call.debug('Resolving');
    await flush();
    expect(lines).toEqual([]);
    expect(child).not.toHaveBeenCalled();
    call.warn('now');
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('writes debug lines when debug is on', async () => {
    const { lines, logger } = capture('debug');
    createMeshLogger(logger).child('transport').debug('Resolving');
    await flush();
    expect(lines).toEqual([{ level: 20, component: 'transport', msg: 'Resolving' }]);
  });
});
