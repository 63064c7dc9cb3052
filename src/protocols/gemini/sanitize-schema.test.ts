import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { geminiSchemaToJsonSchema } from './json-schema.ts';
import { MAX_REF_DEPTH, sanitizeGeminiSchema } from './sanitize-schema.ts';

describe('sanitizeGeminiSchema', () => {
  // The keywords Gemini rejects.
  const dropped: Array<[string, unknown]> = [
    ['$schema', 'http://json-schema.org/draft-07/schema#'],
    ['$id', 'https://example.com/s'],
    ['$comment', 'note'],
    ['additionalProperties', false],
    ['propertyNames', { pattern: '^[a-z]+$' }],
    ['patternProperties', { '^x-': { type: 'string' } }],
    ['unevaluatedProperties', false],
    ['uniqueItems', true],
    ['default', 'a'],
    ['examples', ['a']],
    ['multipleOf', 2],
    ['not', { type: 'null' }],
    ['if', { type: 'string' }],
    ['dependentRequired', { a: ['b'] }],
    ['readOnly', true],
    ['deprecated', true],
  ];
  for (const [keyword, value] of dropped) {
    test(`drops ${keyword}`, () => {
      assert.deepEqual(sanitizeGeminiSchema({ type: 'object', properties: { a: { type: 'string' } }, [keyword]: value }), {
        type: 'OBJECT',
        properties: { a: { type: 'STRING' } },
      });
    });
  }

  const cases: Array<{ name: string; schema: Record<string, unknown>; expected: Record<string, unknown> }> = [
    {
      name: 'keeps the keywords Gemini supports and upper-cases types',
      schema: {
        type: 'object',
        title: 'Query',
        description: 'A query',
        properties: {
          q: { type: 'string', minLength: 1, maxLength: 100, pattern: '^\\w+$', description: 'text' },
          n: { type: 'integer', minimum: 1, maximum: 10, format: 'int32' },
          tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 },
          meta: { type: 'object', minProperties: 1, maxProperties: 3 },
        },
        required: ['q'],
        propertyOrdering: ['q', 'n'],
      },
      expected: {
        type: 'OBJECT',
        title: 'Query',
        description: 'A query',
        properties: {
          q: { type: 'STRING', minLength: 1, maxLength: 100, pattern: '^\\w+$', description: 'text' },
          n: { type: 'INTEGER', minimum: 1, maximum: 10, format: 'int32' },
          tags: { type: 'ARRAY', items: { type: 'STRING' }, minItems: 1, maxItems: 5 },
          meta: { type: 'OBJECT', minProperties: 1, maxProperties: 3 },
        },
        required: ['q'],
        propertyOrdering: ['q', 'n'],
      },
    },
    {
      name: 'rewrites a nullable type array',
      schema: { type: ['string', 'null'], description: 'd' },
      expected: { type: 'STRING', description: 'd', nullable: true },
    },
    {
      name: 'turns several non-null types into anyOf',
      schema: { type: ['string', 'number', 'null'] },
      expected: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }], nullable: true },
    },
    {
      name: 'merges anyOf with a null branch into a nullable schema',
      schema: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], description: 'when' },
      expected: { type: 'STRING', format: 'date-time', description: 'when', nullable: true },
    },
    {
      name: 'renames oneOf to anyOf',
      schema: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      expected: { anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }] },
    },
    {
      name: 'turns const into a one-value string enum',
      schema: { const: 'fixed' },
      expected: { type: 'STRING', enum: ['fixed'] },
    },
    {
      name: 'turns numeric and boolean enums into string enums',
      schema: { type: 'object', properties: { level: { type: 'integer', enum: [1, 2, 3] }, flag: { enum: [true, false, null] } } },
      expected: {
        type: 'OBJECT',
        properties: { level: { type: 'STRING', enum: ['1', '2', '3'] }, flag: { type: 'STRING', enum: ['true', 'false'], nullable: true } },
      },
    },
    {
      name: 'turns numeric exclusive bounds into inclusive ones and drops draft-4 flags',
      schema: { type: 'object', properties: { a: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, b: { type: 'number', minimum: 0, exclusiveMinimum: true } } },
      expected: { type: 'OBJECT', properties: { a: { type: 'NUMBER', minimum: 0, maximum: 1 }, b: { type: 'NUMBER', minimum: 0 } } },
    },
    {
      name: 'keeps only the formats Gemini supports',
      schema: {
        type: 'object',
        properties: {
          email: { type: 'string', format: 'email' },
          uri: { type: 'string', format: 'uri' },
          at: { type: 'string', format: 'date-time' },
          big: { type: 'integer', format: 'int64' },
          ratio: { type: 'number', format: 'double' },
          wrong: { type: 'number', format: 'int32' },
        },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          email: { type: 'STRING' },
          uri: { type: 'STRING' },
          at: { type: 'STRING', format: 'date-time' },
          big: { type: 'INTEGER', format: 'int64' },
          ratio: { type: 'NUMBER', format: 'double' },
          wrong: { type: 'NUMBER' },
        },
      },
    },
    {
      name: 'inlines $ref definitions from $defs and definitions',
      schema: {
        type: 'object',
        properties: { home: { $ref: '#/$defs/Address', description: 'Home address' }, work: { $ref: '#/definitions/Address' } },
        $defs: { Address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        definitions: { Address: { type: 'object', properties: { zip: { type: 'string' } } } },
      },
      expected: {
        type: 'OBJECT',
        properties: {
          home: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'], description: 'Home address' },
          work: { type: 'OBJECT', properties: { zip: { type: 'STRING' } } },
        },
      },
    },
    {
      name: 'stops a recursive $ref at the cycle',
      schema: {
        $ref: '#/$defs/Node',
        $defs: { Node: { type: 'object', properties: { value: { type: 'string' }, next: { $ref: '#/$defs/Node', description: 'next node' } } } },
      },
      expected: { type: 'OBJECT', properties: { value: { type: 'STRING' }, next: { type: 'OBJECT', description: 'next node' } } },
    },
    {
      name: 'merges allOf (pydantic style)',
      schema: {
        type: 'object',
        properties: { unit: { allOf: [{ $ref: '#/$defs/Unit' }], description: 'Unit to use' } },
        $defs: { Unit: { type: 'string', enum: ['c', 'f'], title: 'Unit' } },
      },
      expected: { type: 'OBJECT', properties: { unit: { type: 'STRING', enum: ['c', 'f'], title: 'Unit', description: 'Unit to use' } } },
    },
    {
      name: 'limits required to declared properties and drops empty properties',
      schema: { type: 'object', properties: {}, required: ['ghost'] },
      expected: { type: 'OBJECT' },
    },
    {
      name: 'infers object and array types and reads tuple items',
      schema: { properties: { pair: { prefixItems: [{ type: 'string' }, { type: 'number' }] }, one: { items: [{ type: 'boolean' }] } } },
      expected: {
        type: 'OBJECT',
        properties: { pair: { type: 'ARRAY', items: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] } }, one: { type: 'ARRAY', items: { type: 'BOOLEAN' } } },
      },
    },
    {
      name: 'treats a lone null type as nullable',
      schema: { type: 'null' },
      expected: { nullable: true },
    },
    {
      name: 'treats an unresolvable remote $ref as an unconstrained schema',
      schema: { $ref: 'https://example.com/other.json', description: 'external' },
      expected: { description: 'external' },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(sanitizeGeminiSchema(c.schema), c.expected));

  test(`stops inlining after ${MAX_REF_DEPTH} nested references`, () => {
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 20; i++) defs[`D${i}`] = { type: 'object', properties: { child: { $ref: `#/$defs/D${i + 1}` } } };
    let node = sanitizeGeminiSchema({ $ref: '#/$defs/D0', $defs: defs });
    let depth = 0;
    while (node['properties'] !== undefined) {
      node = (node['properties'] as Record<string, Record<string, unknown>>)['child'] ?? {};
      depth++;
    }
    assert.equal(depth, MAX_REF_DEPTH);
    assert.deepEqual(node, { type: 'OBJECT' });
  });

  test('does not modify its input', () => {
    const schema = { type: ['string', 'null'], $defs: { A: { type: 'string' } } };
    const copy = structuredClone(schema);
    sanitizeGeminiSchema(schema);
    assert.deepEqual(schema, copy);
  });
});

describe('geminiSchemaToJsonSchema', () => {
  const cases: Array<{ name: string; schema: unknown; expected: Record<string, unknown> }> = [
    {
      name: 'lower-cases types and turns nullable into a null type member',
      schema: { type: 'OBJECT', properties: { a: { type: 'STRING', nullable: true }, b: { type: 'ARRAY', items: { type: 'NUMBER' }, minItems: '1' } }, required: ['a'] },
      expected: { type: 'object', properties: { a: { type: ['string', 'null'] }, b: { type: 'array', items: { type: 'number' }, minItems: 1 } }, required: ['a'] },
    },
    {
      name: 'drops Gemini-only keywords and format enum',
      schema: { type: 'STRING', format: 'enum', enum: ['x'], propertyOrdering: [], example: 'x' },
      expected: { type: 'string', enum: ['x'] },
    },
    {
      name: 'adds a null branch to a nullable anyOf',
      schema: { anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }], nullable: true },
      expected: { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] },
    },
    { name: 'reads a non-object as an empty schema', schema: 'STRING', expected: {} },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(geminiSchemaToJsonSchema(c.schema), c.expected));
});
