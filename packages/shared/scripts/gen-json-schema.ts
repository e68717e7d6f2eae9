/**
 * Writes schema/design.schema.json from the zod schema, so editors (VS Code's
 * YAML extension, `# yaml-language-server: $schema=…`) complete and check
 * design files with the same rules the server applies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { API_VERSION, Design } from '../src/schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'schema', 'design.schema.json');

// io: 'input' — a file may leave out fields that have defaults.
const generated = z.toJSONSchema(Design, { io: 'input', target: 'draft-2020-12' });
const { $schema, ...body } = generated;
const schema = {
  $schema,
  $id: `urn:netcanvas:design:${API_VERSION.split('/')[1]}`,
  title: `netcanvas design (${API_VERSION})`,
  description: 'A netcanvas network design: nodes, links, addressing and canvas layout.',
  ...body,
};

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${out}`);
