import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildOpenApiDocument } from '../api/openapi';

/**
 * `npm run docs:api`: renders docs/api.md from the OpenAPI document the API serves at /openapi.json,
 * built by the same function from the same zod schemas, so the reference cannot drift from the code.
 * test/unit/api-reference.test.ts renders it again in memory and fails while docs/api.md is stale.
 */
export const API_REFERENCE_FILE = path.join(__dirname, '..', 'docs', 'api.md');
export const API_REFERENCE_COMMAND = 'npm run docs:api';

/** The part of OpenAPI 3.1 / JSON Schema that gangway's document uses. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}
interface Content {
  schema?: Schema;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Response {
  description: string;
  content?: Record<string, Content>;
  headers?: Record<string, { description?: string }>;
}
interface Operation {
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, Content> };
  responses: Record<string, Response>;
}
interface Document {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, Schema>;
    securitySchemes?: Record<string, { type: string; scheme?: string; bearerFormat?: string; description?: string }>;
  };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${text}\``;
const table = (head: string[], rows: string[][]) => [
  `| ${head.join(' | ')} |`,
  `| ${head.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

export function renderApiReference(): string {
  const doc = buildOpenApiDocument('http://127.0.0.1:3000') as unknown as Document;
  const components = doc.components?.schemas ?? {};
  const refName = (ref: string) => ref.replace('#/components/schemas/', '');
  const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(components[refName(schema.$ref)] ?? {}) : schema);

  const typeOf = (given: Schema): string => {
    const schema = resolve(given);
    if (schema.enum) return schema.enum.map((v) => code(String(v))).join(' or ');
    if (schema.const !== undefined) return code(JSON.stringify(schema.const));
    const union = schema.anyOf ?? schema.oneOf;
    if (union) return union.map(typeOf).join(' or ');
    const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
    if (type === 'array') return `array of ${schema.items ? typeOf(schema.items) : 'any'}`;
    if (type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') {
      return `map of ${typeOf(schema.additionalProperties)}`;
    }
    return schema.format ? `${type} (${schema.format})` : type;
  };

  const range = (what: string, min?: number, max?: number) => {
    if (min !== undefined && max !== undefined) return min === max ? `${what} ${min}` : `${what} ${min}–${max}`;
    if (min !== undefined) return `${what} ≥ ${min}`;
    if (max !== undefined) return `${what} ≤ ${max}`;
    return undefined;
  };
  const notes = (given: Schema, described?: string): string => {
    const schema = resolve(given);
    const items = schema.type === 'array' && schema.items ? resolve(schema.items) : undefined;
    return [
      described ?? schema.description,
      range('length', schema.minLength, schema.maxLength),
      range('value', schema.minimum, schema.maximum),
      range('items', schema.minItems, schema.maxItems),
      items && range('each of length', items.minLength, items.maxLength),
      schema.pattern && `pattern ${code(schema.pattern)}`,
      items?.pattern && `each matching ${code(items.pattern)}`,
      schema.default !== undefined && `default ${code(JSON.stringify(schema.default))}`,
    ]
      .filter(Boolean)
      .join('; ');
  };

  /** One row per field, nested fields and array items flattened into dotted paths. */
  const fields = (given: Schema, prefix = ''): string[][] => {
    const schema = resolve(given);
    const required = new Set(schema.required ?? []);
    return Object.entries(schema.properties ?? {}).flatMap(([name, child]) => {
      const at = `${prefix}${name}`;
      const inner = resolve(child);
      const nested =
        inner.type === 'array' && inner.items && resolve(inner.items).properties
          ? fields(inner.items, `${at}[].`)
          : inner.properties
            ? fields(inner, `${at}.`)
            : [];
      return [[code(at), typeOf(inner), required.has(name) ? 'yes' : 'no', notes(inner)], ...nested];
    });
  };

  const security = (operation: Operation) => {
    const names = (operation.security ?? []).flatMap((s) => Object.keys(s));
    return names.length ? names.map((n) => `[${code(n)}](#authentication)`).join(', ') : 'none';
  };
  const header = (s: { scheme?: string }) =>
    s.scheme === 'basic'
      ? code('Authorization: Basic base64(id:secret)')
      : code(`Authorization: ${s.scheme === 'bearer' ? 'Bearer' : s.scheme} <token>`);

  const operations = Object.entries(doc.paths).flatMap(([route, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ route, method, operation: item[method] })),
  );
  const heading = (o: { route: string; method: string }) => `${o.method.toUpperCase()} ${o.route}`;

  const out: string[] = [
    '# API reference',
    '',
    `Generated by ${code(API_REFERENCE_COMMAND)} (${code('scripts/api-reference.ts')}) from the OpenAPI ${code('3.1')} document that the API serves at ${code('GET /openapi.json')} and renders at ${code('GET /docs')}; that document is built from the same zod schemas that validate every request. Do not edit this file by hand: change the route or schema, run ${code(API_REFERENCE_COMMAND)}, and commit the result (${code('test/unit/api-reference.test.ts')} fails while this file is stale).`,
    '',
    `${doc.info.title} ${doc.info.version}: ${doc.info.description ?? ''}`,
    '',
    "Paths are relative to the API's base URL (`PUBLIC_URL`, by default `http://127.0.0.1:3000`). Request and response bodies are JSON unless stated otherwise; times are RFC 3339 UTC strings.",
    '',
    '## Authentication',
    '',
    ...table(
      ['scheme', 'header', 'notes'],
      Object.entries(doc.components?.securitySchemes ?? {}).map(([name, s]) => [
        code(name),
        header(s),
        [s.bearerFormat, s.description].filter(Boolean).join('; '),
      ]),
    ),
    '',
    'A missing or invalid credential is 401; a valid one without the right role or assignment is 403.',
    '',
    '## Problem responses',
    '',
    'Every response described as "Problem (RFC 9457)" is `application/problem+json` with these fields:',
    '',
  ];
  const problem = Object.values(doc.paths)
    .flatMap((item) => Object.values(item).flatMap((o) => Object.values(o.responses)))
    .map((r) => r.content?.['application/problem+json']?.schema)
    .find((s): s is Schema => s !== undefined);
  if (problem) out.push(...table(['field', 'type', 'required', 'notes'], fields(problem)), '');

  const index = operations.map((o) => [`[${heading(o)}](#${anchor(heading(o))})`, o.operation.summary ?? '']);
  out.push('## Operations', '', ...table(['operation', 'summary'], index), '');

  for (const o of operations) {
    const { operation } = o;
    out.push(`### ${heading(o)}`, '', operation.summary ?? '', '');
    if (operation.description) out.push(operation.description, '');
    out.push(`Authentication: ${security(operation)}.`, '');
    if (operation.parameters?.length) {
      out.push(
        '**Parameters**',
        '',
        ...table(
          ['name', 'in', 'type', 'required', 'notes'],
          operation.parameters.map((p) => [
            code(p.name),
            p.in,
            p.schema ? typeOf(p.schema) : 'any',
            p.required ? 'yes' : 'no',
            p.schema ? notes(p.schema, p.description) : (p.description ?? ''),
          ]),
        ),
        '',
      );
    }
    for (const [type, content] of Object.entries(operation.requestBody?.content ?? {})) {
      const name = content.schema?.$ref ? ` (${code(refName(content.schema.$ref))})` : '';
      const rows = content.schema ? fields(content.schema) : [];
      const described = content.schema && resolve(content.schema).description;
      out.push(`**Request body**${name}, ${code(type)}${described ? `: ${described}` : ''}`, '');
      out.push(...(rows.length ? table(['field', 'type', 'required', 'notes'], rows) : ['No fields.']), '');
    }
    out.push(
      '**Responses**',
      '',
      ...table(
        ['status', 'description', 'content'],
        Object.entries(operation.responses).map(([status, response]) => [
          status,
          response.description,
          [
            ...Object.keys(response.content ?? {}).map(code),
            ...Object.entries(response.headers ?? {}).map(([h, d]) => `header ${code(h)}: ${d.description ?? ''}`),
          ].join('; '),
        ]),
      ),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

async function main(): Promise<void> {
  await writeFile(API_REFERENCE_FILE, renderApiReference());
  process.stdout.write(`wrote ${path.relative(process.cwd(), API_REFERENCE_FILE)}\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
