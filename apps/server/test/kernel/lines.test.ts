import { expect, it } from 'vitest';
import { lineSplitter } from '../../src/kernel/lines.js';

function split(max: number, chunks: string[]) {
  const lines: string[] = [];
  let tooLong = 0;
  const s = lineSplitter(
    max,
    (l) => lines.push(l),
    () => tooLong++,
  );
  for (const c of chunks) s.push(c);
  return { lines, tooLong };
}

it('gives whole lines whatever the chunks they arrive in', () => {
  expect(split(100, ['{"id":1', ',"ok":true}\n{"id":2}\n{"i', 'd":3}', '\n']).lines).toEqual([
    '{"id":1,"ok":true}',
    '{"id":2}',
    '{"id":3}',
  ]);
  expect(split(100, ['a\n\nb\n']).lines).toEqual(['a', '', 'b']);
});

it('holds a line without its end until the end arrives', () => {
  expect(split(100, ['no end yet']).lines).toEqual([]);
});

it('a big answer in many chunks arrives whole, as one line', () => {
  const big = JSON.stringify({ id: 7, rows: Array.from({ length: 50_000 }, (_, i) => `ns-${i}`) });
  const chunks: string[] = [];
  const text = `${big}\n`;
  for (let i = 0; i < text.length; i += 65_536) chunks.push(text.slice(i, i + 65_536));
  const { lines, tooLong } = split(16 * 1024 * 1024, chunks);
  expect(tooLong).toBe(0);
  expect(lines).toEqual([big]);
});

it('a line that grows past the bound is refused, ended or not, and is not delivered', () => {
  expect(split(10, ['0123456789ABC'])).toEqual({ lines: [], tooLong: 1 });
  expect(split(10, ['0123456789ABC\nok\n'])).toEqual({ lines: [], tooLong: 1 });
  expect(split(10, ['ok\n', '0123456', '789ABCD'])).toEqual({ lines: ['ok'], tooLong: 1 });
});
