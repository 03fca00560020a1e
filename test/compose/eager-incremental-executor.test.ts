import { parse, print, type DocumentNode } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { stripIncrementalDirectives, withEagerIncrementalDelivery } from '../../src/compose/eager-incremental-executor';

/** What a source executor receives once the wrapper has run (the sources answer deferred selections eagerly). */
function sentDocument(request: ExecutionRequest): string {
  let seen: DocumentNode | undefined;
  const source: Executor = (received) => {
    seen = received.document;
    return {};
  };
  void withEagerIncrementalDelivery(source)(request);
  return print(seen!);
}

describe('withEagerIncrementalDelivery', () => {
  it('removes @defer and @stream, keeping every selection, fragment and other directive', () => {
    const document = parse(`
      query Q($skip: Boolean!) {
        order(id: "1") {
          id
          ... @defer(label: "a") { status customer { id ... on Customer @defer { name } } }
          ...Lines @defer
          tags @stream(initialCount: 1) @skip(if: $skip)
        }
      }
      fragment Lines on Order { lines { sku } }
    `);
    expect(print(stripIncrementalDirectives(document))).toBe(
      print(
        parse(`
          query Q($skip: Boolean!) {
            order(id: "1") {
              id
              ... { status customer { id ... on Customer { name } } }
              ...Lines
              tags @skip(if: $skip)
            }
          }
          fragment Lines on Order { lines { sku } }
        `),
      ),
    );
  });

  it('drops variable definitions only the removed directives used (a remote source would refuse them)', () => {
    const document = parse(
      'query ($later: Boolean!, $label: String, $id: ID!) { order(id: $id) { ... @defer(if: $later) { status } } }',
    );
    expect(sentDocument({ document, variables: { later: true, id: '1' } })).toBe(
      print(parse('query ($id: ID!) { order(id: $id) { ... { status } } }')),
    );
  });

  it('passes a request without them through untouched (the same document object)', () => {
    const document = parse('{ order(id: "1") { id deferred: status } }');
    let seen: DocumentNode | undefined;
    void withEagerIncrementalDelivery((request) => {
      seen = request.document;
      return {};
    })({ document });
    expect(seen).toBe(document);
  });
});
