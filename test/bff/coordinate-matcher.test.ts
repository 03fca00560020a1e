import { createCoordinateMatcher } from '../../src/bff/view/coordinate-matcher';

const rootTypeNames = ['Query', 'Mutation'];

describe('createCoordinateMatcher', () => {
  it('keeps everything without patterns', () => {
    const matcher = createCoordinateMatcher({ rootTypeNames });
    expect([
      matcher.keepsType('Customer'),
      matcher.keepsField('Customer', 'note'),
      matcher.keepsField('Mutation', 'createProduct'),
    ]).toEqual([true, true, true]);
  });

  it('excludes types and fields by glob, braces included', () => {
    const matcher = createCoordinateMatcher({
      exclude: ['*.note', 'Mutation.{create,delete}Product*', 'Internal*'],
      rootTypeNames,
    });
    expect(matcher.keepsField('Customer', 'note')).toBe(false);
    expect(matcher.keepsField('Order', 'note')).toBe(false);
    expect(matcher.keepsField('Customer', 'notes')).toBe(true);
    expect(matcher.keepsField('Mutation', 'createProduct')).toBe(false);
    expect(matcher.keepsField('Mutation', 'deleteProductImage')).toBe(false);
    expect(matcher.keepsField('Mutation', 'createOrder')).toBe(true);
    expect(matcher.keepsType('InternalAudit')).toBe(false);
    expect(matcher.keepsType('Customer')).toBe(true);
  });

  it('include field patterns narrow only the types they name, and root fields as one list', () => {
    const matcher = createCoordinateMatcher({ include: ['Query.get*', 'Customer.{id,name}'], rootTypeNames });
    expect(matcher.keepsField('Query', 'getCustomer')).toBe(true);
    expect(matcher.keepsField('Query', 'listCustomers')).toBe(false);
    expect(matcher.keepsField('Mutation', 'createProduct')).toBe(false);
    expect(matcher.keepsField('Customer', 'id')).toBe(true);
    expect(matcher.keepsField('Customer', 'email')).toBe(false);
    expect(matcher.keepsField('Product', 'price')).toBe(true);
  });

  it('include type patterns narrow types; exclude wins over include', () => {
    const matcher = createCoordinateMatcher({
      include: ['Product*', 'Customer'],
      exclude: ['ProductSecret', 'Customer.email'],
      rootTypeNames,
    });
    expect(matcher.keepsType('ProductList')).toBe(true);
    expect(matcher.keepsType('ProductSecret')).toBe(false);
    expect(matcher.keepsType('Order')).toBe(false);
    expect(matcher.keepsField('Customer', 'email')).toBe(false);
    expect(matcher.keepsField('Customer', 'name')).toBe(true);
  });
});
