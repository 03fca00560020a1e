import { GraphQLError } from 'graphql';
import { createYoga, createSchema } from 'graphql-yoga';
import { dirname, join } from 'node:path';
import { costLimitExceeded, createLoomError } from '../../src/core/errors';

/** Yoga's serialiser (not exported by the package): the copies it makes of an answer's errors. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { omitInternalsFromResultErrors } = require(
  join(dirname(require.resolve('graphql-yoga')), 'plugins/result-processor/stringify.js'),
) as { omitInternalsFromResultErrors: (result: { errors: GraphQLError[] }) => { errors: GraphQLError[] } };

/**
 * Loom's errors are answers (a refused query, a failed upstream), and Yoga
 * copies every error of an answer to serialise it: neither copy's stack is
 * ever read, and taking one walks the sync and async stack. Both are made
 * without one (src/core/errors.ts, patches/graphql-yoga), and the stack trace
 * limit is left as it was for everything else.
 */
describe('errors made without a stack trace', () => {
  it('makes Loom’s errors with their code and no stack frames, leaving the limit as it was', () => {
    const before = Error.stackTraceLimit;
    const error = costLimitExceeded(120, 100);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: 120, maxCost: 100 });
    expect(error.stack).toBe('GraphQLError: Query cost 120 exceeds the maximum of 100');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('elsewhere').stack?.split('\n').length).toBeGreaterThan(1);
    expect(createLoomError('RATE_LIMITED', 'slow down', { httpStatus: 429 }).extensions).toEqual({
      code: 'RATE_LIMITED',
      http: { status: 429 },
    });
  });

  it('serialises answers as before: internals out, codes and paths kept, and the limit restored', async () => {
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { refused: String, broken: String }',
        resolvers: {
          Query: {
            refused: () => createLoomError('BAD_USER_INPUT', 'no', { httpStatus: 400, extra: { field: 'refused' } }),
            broken: () => {
              throw new GraphQLError('nested', {
                originalError: new GraphQLError('inner', { extensions: { code: 'X' } }),
              });
            },
          },
        },
      }),
      logging: false,
      maskedErrors: false,
    });
    const before = Error.stackTraceLimit;
    const response = await yoga.fetch('http://loom.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ refused broken }' }),
    });
    expect(Error.stackTraceLimit).toBe(before);
    expect(await response.json()).toEqual({
      data: { refused: null, broken: null },
      errors: [
        {
          message: 'no',
          locations: [{ line: 1, column: 3 }],
          path: ['refused'],
          extensions: { code: 'BAD_USER_INPUT', field: 'refused' },
        },
        { message: 'nested', locations: [{ line: 1, column: 11 }], path: ['broken'], extensions: { code: 'X' } },
      ],
    });
  });

  it('copies an answer’s errors for Yoga’s serialiser without stacks', () => {
    const before = Error.stackTraceLimit;
    const [copy] = omitInternalsFromResultErrors({
      errors: [new GraphQLError('refused', { extensions: { code: 'A', http: { status: 400 } } })],
    }).errors;
    expect(copy.stack).toBe('GraphQLError: refused');
    expect(copy.extensions).toEqual({ code: 'A' });
    expect(Error.stackTraceLimit).toBe(before);
  });
});
