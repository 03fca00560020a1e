import { GraphQLError, type ValidationRule } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';

/**
 * Yoga's validation cache keys a result by the rules it was validated with
 * (patches/graphql-yoga: the key is remade only when the rules change). A
 * document validated under one set of rules must never answer under another.
 */
describe('validation cache and per-request rules', () => {
  const noSecret: ValidationRule = (context) => ({
    Field(node) {
      if (node.name.value === 'secret') context.reportError(new GraphQLError('secret is not for you'));
    },
  });
  const strictWhenAsked: Plugin = {
    onValidate({ addValidationRule, context }) {
      if ((context as { request: Request }).request.headers.get('x-strict') === '1') addValidationRule(noSecret);
    },
  };
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { secret: String, open: String }',
      resolvers: { Query: { secret: () => 's', open: () => 'o' } },
    }),
    plugins: [strictWhenAsked],
    logging: false,
  });
  const ask = async (strict: boolean) => {
    const response = await yoga.fetch('http://loom.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(strict ? { 'x-strict': '1' } : {}) },
      body: JSON.stringify({ query: '{ secret open }' }),
    });
    return (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
  };

  it('validates again when the rules differ, and reuses the result when they are the same', async () => {
    for (const strict of [false, true, true, false, true, false, false]) {
      const body = await ask(strict);
      if (strict) expect(body.errors?.map((error) => error.message)).toEqual(['secret is not for you']);
      else expect(body).toEqual({ data: { secret: 's', open: 'o' } });
    }
  });
});
