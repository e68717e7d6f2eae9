import type { Design, Diagnostic } from '@netcanvas/shared';
import { designToYaml, draftFromYaml, parseDraft } from '@netcanvas/shared';
import { needsLayout } from '../model/flow';
import { autoLayout } from '../model/layout';
import type { AppStore } from '../store/app';
import { attempt } from './safe';

/**
 * YAML (or JSON, which is YAML) text → design, never throwing. Read as a
 * draft, like the server stores it: a half-finished design opens, and its
 * problems show on its elements.
 */
export function readDesign(text: string): { design?: Design; diagnostics: Diagnostic[] } {
  const fromYaml = attempt('YAML import', () => draftFromYaml(text));
  if (fromYaml.value) return fromYaml.value;
  // The YAML reader is not available: JSON still works through the structural parser.
  const json = attempt('JSON import', () => JSON.parse(text) as unknown);
  if (json.value === undefined) return { diagnostics: [fromYaml.error!] };
  const parsed = attempt('parse', () => parseDraft(json.value));
  if (parsed.value) return parsed.value;
  const v = json.value as Partial<Design>;
  if (v && typeof v === 'object' && v.nodes && v.name)
    return {
      design: { links: [], addressing: { p2p: '10.255.0.0/16' }, ...v } as Design,
      diagnostics: [],
    };
  return { diagnostics: [parsed.error!] };
}

export function writeDesign(design: Design): { text: string; ext: 'yaml' | 'json' } {
  const yaml = attempt('YAML export', () => designToYaml(design));
  if (yaml.value !== undefined) return { text: yaml.value, ext: 'yaml' };
  return { text: `${JSON.stringify(design, null, 2)}\n`, ext: 'json' };
}

export function download(filename: string, content: string | Blob, type = 'text/plain') {
  const url = URL.createObjectURL(
    typeof content === 'string' ? new Blob([content], { type }) : content,
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The design with canvas positions: its own, or an automatic layout when it has none. */
export async function laidOut(design: Design): Promise<Design> {
  return needsLayout(design) ? await autoLayout(design).catch(() => design) : design;
}

/**
 * Without a server: puts a design on the canvas in place of the current one,
 * laid out. Undoable: opening a scenario over an afternoon's drawing must
 * not lose it. (With a server, it becomes a design of its own: live/workspace.)
 */
export async function openDesign(app: AppStore, design: Design, source: string): Promise<void> {
  const laid = await laidOut(design);
  const hadWork = Object.keys(app.getState().design.nodes).length > 0;
  app.getState().replaceDesign(laid);
  app
    .getState()
    .toast(
      hadWork ? `Opened ${source} · Ctrl+Z brings back the previous design` : `Opened ${source}`,
    );
  window.dispatchEvent(new CustomEvent('netcanvas:fit', { detail: { instant: true } }));
}

/** Reads a file or a scenario's text; a design that cannot be read is said so (undefined). */
export function readDesignOrSay(app: AppStore, text: string, source: string): Design | undefined {
  const { design, diagnostics } = readDesign(text);
  if (!design) {
    const first = diagnostics[0];
    app
      .getState()
      .toast(
        `Cannot open ${source}: ${first ? `${first.line ? `line ${first.line}: ` : ''}${first.message}` : 'not a netcanvas design'}`,
        'error',
      );
    return undefined;
  }
  return design;
}

export function exportDesign(app: AppStore) {
  const design = app.getState().design;
  const { text, ext } = writeDesign(design);
  download(`${design.name}.${ext}`, text, ext === 'yaml' ? 'application/yaml' : 'application/json');
}

export function pickFile(): Promise<{ name: string; text: string } | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.yaml,.yml,.json';
    input.setAttribute('data-testid', 'import-file-input');
    input.style.display = 'none';
    input.onchange = async () => {
      const file = input.files?.[0];
      input.remove();
      resolve(file ? { name: file.name, text: await file.text() } : null);
    };
    document.body.appendChild(input);
    input.click();
  });
}
