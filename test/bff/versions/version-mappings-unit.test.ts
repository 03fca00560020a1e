import { graphql, printSchema, lexicographicSortSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { applyVersionMappings } from '../../../src/bff/versions/apply-version-mappings';
import { parseVersioning } from '../../../src/bff/versions/parse-versioning';
import { createVersionLifecycle } from '../../../src/bff/versions/version-lifecycle';
import type { BffDefinition } from '../../../src/bff/define-bff';

/** A tiny current graph: Person.fullName (once `name`), list with a default, a nested list argument. */
function createGraph() {
  const calls: Array<{ field: string; args: Record<string, unknown> }> = [];
  const people = [
    { id: '1', fullName: 'Ada', city: 'London', friends: [] as string[] },
    { id: '2', fullName: 'Alan', city: 'Wilmslow', friends: ['1'] },
  ];
  const schema = makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      type Address {
        city: String!
      }
      type Person {
        id: ID!
        fullName: String!
        address: Address!
        friends(first: Int = 10): [Person!]!
      }
      type Query {
        people(limit: Int = 10): [Person!]!
        person(id: ID!): Person
      }
    `,
    resolvers: {
      Query: {
        people: (_: unknown, args: { limit: number }) => {
          calls.push({ field: 'people', args });
          return people.slice(0, args.limit);
        },
        person: (_: unknown, args: { id: string }) => {
          calls.push({ field: 'person', args });
          return people.find((person) => person.id === args.id);
        },
      },
      Person: {
        address: (person: { city: string }) => ({ city: person.city }),
        friends: (person: { friends: string[] }, args: { first: number }) => {
          calls.push({ field: 'friends', args });
          return people.filter((other) => person.friends.includes(other.id)).slice(0, args.first);
        },
      },
    },
  });
  return { schema, calls };
}

describe('version mappings (graphql-tools transforms) on a tiny graph', () => {
  const mappings = {
    renames: { 'Person.name': 'Person.fullName', Human: 'Person' },
    argumentDefaults: { 'Query.people.limit': 1, 'Human.friends.first': 0 },
    computed: {
      'Person.greeting': {
        type: 'String!',
        requires: 'fullName address { city }',
        resolve: (person: Record<string, any>) => `${person.fullName} from ${person.address.city}`,
      },
    },
  };

  it('shows the old shape: renamed type and field, computed field, old defaults', () => {
    const { schema } = createGraph();
    const sdl = printSchema(lexicographicSortSchema(applyVersionMappings('app', 'v1', schema, mappings)));
    expect(sdl).toContain('type Human {');
    expect(sdl).toContain('  name: String!');
    expect(sdl).toContain('  greeting: String!');
    expect(sdl).toContain('  friends(first: Int = 0): [Human!]!');
    expect(sdl).toContain('  people(limit: Int = 1): [Human!]!');
    expect(sdl).not.toContain('fullName');
    expect(sdl).not.toContain('Person');
  });

  it('answers old queries from the current resolvers, one call per field, defaults sent explicitly', async () => {
    const { schema, calls } = createGraph();
    const v1 = applyVersionMappings('app', 'v1', schema, mappings);
    const result = await graphql({
      schema: v1,
      source: '{ people { name greeting g2: greeting fullName: name } person(id: "2") { friends(first: 5) { name } } }',
    });
    expect(result).toEqual({
      data: {
        people: [{ name: 'Ada', greeting: 'Ada from London', g2: 'Ada from London', fullName: 'Ada' }],
        person: { friends: [{ name: 'Ada' }] },
      },
    });
    expect(calls).toEqual([
      { field: 'people', args: { limit: 1 } },
      { field: 'person', args: { id: '2' } },
      { field: 'friends', args: { first: 5 } },
    ]);
  });

  it('returns the view itself when nothing is mapped (no extra layer)', () => {
    const { schema } = createGraph();
    expect(applyVersionMappings('app', 'v2', schema, {})).toBe(schema);
  });

  it.each([
    [
      { renames: { 'Person.name': 'Person.nope' } },
      'versions.v1.mappings.renames "Person.name": the current graph has no field "Person.nope"',
    ],
    [{ renames: { 'Person.name': 'Nobody.name' } }, 'the current graph has no type "Nobody"'],
    [{ renames: { 'Human.name': 'Person.fullName' } }, 'a field rename stays within its type'],
    [{ renames: { 'Person.id': 'Person.fullName' } }, 'renames "Person.id": the current graph has that field already'],
    [{ renames: { 'Person.na-me': 'Person.fullName' } }, '"na-me" is not a GraphQL name'],
    [{ renames: { Human: 'Person.fullName' } }, 'map a type to a type or Type.field to Type.field'],
    [
      { computed: { 'Person.fullName': { type: 'String', requires: 'id', resolve: () => 1 } } },
      'the graph still has this field',
    ],
    [
      { computed: { 'Person.x': { type: 'Nope', requires: 'id', resolve: () => 1 } } },
      'type "Nope" is not an output type',
    ],
    [
      { computed: { 'Person.x': { type: 'String', requires: 'nope', resolve: () => 1 } } },
      'requires: Cannot query field "nope" on type "Person".',
    ],
    [
      { computed: { 'Person.x': { type: 'String', requires: 'a: id', resolve: () => 1 } } },
      'requires lists fields, without aliases',
    ],
    [{ computed: { 'Person.x': { type: 'String', requires: '{', resolve: () => 1 } } }, 'requires: Syntax Error'],
    [{ argumentDefaults: { 'Query.people.limit': 'many' } }, 'Int cannot represent non-integer value: "many"'],
    [{ argumentDefaults: { 'Query.people.size': 1 } }, 'no such argument'],
  ])('refuses a mapping the graph cannot serve: %j', (bad, message) => {
    const { schema } = createGraph();
    expect(() => applyVersionMappings('app', 'v1', schema, bad as never)).toThrow(message);
  });
});

describe('versions in a BFF file: checked at start-up', () => {
  const valid: BffDefinition = { currentVersion: 'v2', versions: { v1: {}, v2: {} } };

  it('reads defaults: client headers, no routing, successor = current', () => {
    const parsed = parseVersioning('app', {
      ...valid,
      versions: { v1: { deprecated: { since: '2026-01-01' } }, v2: {} },
    })!;
    expect(parsed.clientHeaders).toEqual({
      name: 'apollographql-client-name',
      version: 'apollographql-client-version',
    });
    expect(parsed.routingHeader).toBeUndefined();
    expect(parsed.versions.get('v1')?.deprecation).toEqual({
      sinceMs: Date.parse('2026-01-01'),
      sunsetMs: undefined,
      afterSunset: 'refuse',
      successor: 'v2',
      infoUrl: undefined,
    });
    expect(parseVersioning('app', {})).toBeUndefined();
  });

  it.each([
    [{ versions: {} }, 'versions must name at least one version'],
    [{ versions: { v1: {} } }, 'currentVersion must name one of its versions (v1), got undefined'],
    [{ currentVersion: 'v1' }, 'currentVersion and versioning need versions'],
    [{ ...valid, versions: { 'v1.0': {}, v2: {} } }, 'versions.v1.0: a version name must match'],
    [{ ...valid, versions: { '..': {}, v2: {} } }, 'a version name must match'],
    [{ currentVersion: 'graphql', versions: { graphql: {} } }, 'and not be "graphql"'],
    [{ ...valid, versions: { v1: { snapshots: 'x' }, v2: {} } }, 'versions.v1: unknown key "snapshots"'],
    [
      { ...valid, versions: { v1: {}, v2: { deprecated: { since: '2026-01-01' } } } },
      'the current version cannot be deprecated',
    ],
    [
      { ...valid, versions: { v1: { deprecated: { since: 'soon' } }, v2: {} } },
      'deprecated.since: expected an ISO date',
    ],
    [
      { ...valid, versions: { v1: { deprecated: { since: '2026-13-45' } }, v2: {} } },
      'deprecated.since: expected an ISO date',
    ],
    [
      { ...valid, versions: { v1: { deprecated: { since: '2026-02-01', sunset: '2026-01-01' } }, v2: {} } },
      'sunset comes before since',
    ],
    [
      { ...valid, versions: { v1: { deprecated: { since: '2026-01-01', afterSunset: 'ignore' } }, v2: {} } },
      'afterSunset: must be "refuse" or "warn"',
    ],
    [
      { ...valid, versions: { v1: { deprecated: { since: '2026-01-01', successor: 'v1' } }, v2: {} } },
      'successor: must name another version',
    ],
    [
      { ...valid, versions: { v1: { deprecated: { since: '2026-01-01', infoUrl: 'javascript:x' } }, v2: {} } },
      'infoUrl: must be an http(s) URL',
    ],
    [{ ...valid, versions: { v1: { mappings: { rename: {} } }, v2: {} } }, 'mappings: unknown key "rename"'],
    [
      { ...valid, versions: { v1: { mappings: { computed: { 'A.b': { type: 'String' } } } }, v2: {} } },
      'needs type, requires and resolve',
    ],
    [{ ...valid, versioning: { routing: { header: 'x api' } } }, 'routing.header: "x api" is not a header name'],
    [
      { ...valid, versioning: { routing: { clients: [{ client: 'ios', version: 'v3' }] } } },
      'clients[0].version: must name a version',
    ],
    [
      { ...valid, versioning: { routing: { clients: [{ client: 'ios', below: 'two', version: 'v1' }] } } },
      'clients[0].below: expected a dotted version',
    ],
    [{ ...valid, versioning: { maxClientLabels: 0 } }, 'maxClientLabels: must be an integer from 1 to 10000'],
    [{ ...valid, versioning: { routes: {} } }, 'versioning: unknown key "routes"'],
  ])('refuses %j', (definition, message) => {
    expect(() => parseVersioning('app', definition as BffDefinition)).toThrow(message);
  });
});

describe('version lifecycle headers (pure)', () => {
  it('builds RFC 9745 / 8594 headers and states from the dates', () => {
    const lifecycle = createVersionLifecycle(
      false,
      {
        sinceMs: Date.parse('2026-06-01T00:00:00Z'),
        sunsetMs: Date.parse('2026-12-31T23:59:59Z'),
        afterSunset: 'refuse',
        successor: 'v2',
      },
      '/app/v2/graphql',
    );
    expect(lifecycle.headers).toEqual([
      ['deprecation', '@1780272000'],
      ['sunset', 'Thu, 31 Dec 2026 23:59:59 GMT'],
      ['link', '</app/v2/graphql>; rel="successor-version"'],
    ]);
    expect(lifecycle.stateAt(Date.parse('2026-05-31T23:59:59Z'))).toBe('supported');
    expect(lifecycle.stateAt(Date.parse('2026-06-01T00:00:00Z'))).toBe('deprecated');
    expect(lifecycle.refusesAt(Date.parse('2026-12-31T23:59:58Z'))).toBe(false);
    expect(lifecycle.refusesAt(Date.parse('2026-12-31T23:59:59Z'))).toBe(true);
    const current = createVersionLifecycle(true, undefined, undefined);
    expect(current.headers).toEqual([]);
    expect(current.stateAt(0)).toBe('current');
  });
});
