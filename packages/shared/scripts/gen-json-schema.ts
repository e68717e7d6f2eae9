/**
 * Writes schema/design.schema.json from the zod schema, so editors (VS Code's
 * YAML extension, `# yaml-language-server: $schema=…`) complete and check
 * design files with the same rules the server applies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { API_VERSION, Design } from '../src/parse/schema.js';

export const SCHEMA_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'schema',
  'design.schema.json',
);

/** The file's exact text, so a test can tell when the committed copy is stale. */
export function designJsonSchemaText(): string {
  // io: 'input' — a file may leave out fields that have defaults.
  const { $schema, ...body } = z.toJSONSchema(Design, { io: 'input', target: 'draft-2020-12' });
  const schema = {
    $schema,
    $id: `urn:netcanvas:design:${API_VERSION.split('/')[1]}`,
    title: `netcanvas design (${API_VERSION})`,
    description: 'A netcanvas network design: nodes, links, addressing and canvas layout.',
    ...body,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(dirname(SCHEMA_PATH), { recursive: true });
  writeFileSync(SCHEMA_PATH, designJsonSchemaText());
  console.log(`wrote ${SCHEMA_PATH}`);
}
