import { parse } from 'graphql';
import { rootFieldsOfRequest } from '../../src/core/execution-request-fields';

/** Root fields are computed once per document and operation: several executor layers ask for every call. */
describe('rootFieldsOfRequest', () => {
  const document = parse(
    'query A { first: getUser(id: 1) { id } __typename listOrders { id } } query B { getUser(id: 2) { id } }',
  );

  it('names each operation root fields, by response key and field name, without __typename', () => {
    const names = (operationName: string) =>
      rootFieldsOfRequest({ document, operationName }).map((field) => [field.responseKey, field.fieldName]);
    expect(names('A')).toEqual([
      ['first', 'getUser'],
      ['listOrders', 'listOrders'],
    ]);
    expect(names('B')).toEqual([['getUser', 'getUser']]);
  });

  it('hands out one frozen list per document and operation', () => {
    const a = rootFieldsOfRequest({ document, operationName: 'A' });
    expect(rootFieldsOfRequest({ document, operationName: 'A', variables: { x: 1 } })).toBe(a);
    expect(rootFieldsOfRequest({ document, operationName: 'B' })).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    // A copy of the same text is another document: its own list, the same answer.
    const copy = rootFieldsOfRequest({ document: parse(document.loc!.source.body), operationName: 'A' });
    expect(copy).not.toBe(a);
    expect(copy).toEqual(a);
  });

  it('has no root fields for an unknown operation name, and none for an ambiguous anonymous request', () => {
    expect(rootFieldsOfRequest({ document, operationName: 'Nope' })).toEqual([]);
    expect(rootFieldsOfRequest({ document })).toEqual([]);
  });
});
