/**
 * A lesson: a design (embedded, or a built-in scenario by name) and the steps
 * a student walks through on the running lab, each with a check the dashboard
 * makes against the live lab (docs/lessons.md). One YAML file, so a teacher
 * writes one and shares it as one file. Pure: reading and checking the file
 * only; the dashboard runs the checks.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { findScenario, type Scenario } from '../designs/scenarios.js';
import type { Diagnostic } from '../model.js';
import { ELEMENT_ID_RE } from '../net/names.js';
import { linkIds } from '../parse/links.js';
import { parseDesign } from '../parse/parse.js';
import { type Design, LINK_ID_RE } from '../parse/schema.js';
import { designFromYaml, designToYaml, MAX_YAML_ALIASES, MAX_YAML_BYTES } from '../parse/yaml.js';

export const LESSON_API_VERSION = 'netcanvas/lesson/v1';

const Element = z.string().regex(ELEMENT_ID_RE, 'an element id');
const LinkRef = z.string().regex(LINK_ID_RE, 'a link id, as the canvas shows it (node-b--vlan10)');
const Pair = { from: Element, to: Element };

/**
 * What a step waits for, in the words the dashboard uses. Each is checked
 * against the live lab, never taken on the student's word.
 */
export const LessonCheck = z.union([
  z.strictObject({ deployed: z.literal(true).describe('the lab runs (Deploy)') }),
  z.strictObject({
    predicted: z.literal(true).describe('every cell of the Predict matrix is marked'),
  }),
  z.strictObject({
    measured: z
      .literal(true)
      .describe('every pair measured (Measure) since the last Deploy, Apply, Cut or Restore'),
  }),
  z.strictObject({ cut: LinkRef.describe('this link is cut in the running lab (Cut link)') }),
  z.strictObject({
    restored: LinkRef.describe('this link is up again in the running lab (Restore link)'),
  }),
  z.strictObject({
    ping: z
      .strictObject({ ...Pair, reaches: z.boolean() })
      .describe('a real ping from → to, measured since the last change, gives this answer'),
  }),
  z.strictObject({
    explained: z
      .strictObject(Pair)
      .describe("the student opened this pair's path or reason (a click on its matrix cell)"),
  }),
  z.strictObject({
    capture: z
      .strictObject({
        on: Element.describe('the element captured on (any of its interfaces)'),
        sees: z.string().min(1).max(60).describe('text a captured line contains (VXLAN, ICMP)'),
      })
      .describe('a capture on this element shows a line with this text'),
  }),
]);
export type LessonCheck = z.infer<typeof LessonCheck>;

export const LessonStep = z.strictObject({
  title: z.string().min(1).max(120),
  /** What to do and what to look at, in the dashboard's words. */
  text: z.string().max(2000).optional(),
  check: LessonCheck,
});
export type LessonStep = z.infer<typeof LessonStep>;

export const Lesson = z
  .strictObject({
    apiVersion: z.literal(LESSON_API_VERSION),
    title: z.string().min(1).max(120),
    summary: z.string().max(2000).optional(),
    /** A built-in scenario's name, or… */
    scenario: z.enum(['same-vlan', 'inter-vlan', 'vxlan']).optional(),
    /** …the design itself, as in a design file. */
    design: z.record(z.string(), z.unknown()).optional(),
    steps: z.array(LessonStep).min(1).max(50),
  })
  .refine((l) => (l.scenario === undefined) !== (l.design === undefined), {
    message: 'a lesson has either scenario: NAME or design: {...}, not both and not neither',
  });
export type Lesson = z.infer<typeof Lesson>;

export interface LoadedLesson {
  lesson: Lesson;
  design: Design;
  /** The design as YAML, as the dashboard imports it. */
  designYaml: string;
  scenario?: Scenario['name'];
}

const problem = (message: string, path?: (string | number)[]): Diagnostic => ({
  severity: 'error',
  code: 'lesson',
  message,
  elements: [],
  ...(path ? { path } : {}),
});

/** The elements and links a check names. */
function named(check: LessonCheck): { elements: string[]; links: string[] } {
  if ('cut' in check) return { elements: [], links: [check.cut] };
  if ('restored' in check) return { elements: [], links: [check.restored] };
  if ('ping' in check) return { elements: [check.ping.from, check.ping.to], links: [] };
  if ('explained' in check)
    return { elements: [check.explained.from, check.explained.to], links: [] };
  if ('capture' in check) return { elements: [check.capture.on], links: [] };
  return { elements: [], links: [] };
}

/**
 * Lesson YAML → the lesson and its design, or the reasons it cannot be used
 * (each naming the step at fault). Never throws.
 */
export function lessonFromYaml(text: string): { lesson?: LoadedLesson; diagnostics: Diagnostic[] } {
  if (new TextEncoder().encode(text).length > MAX_YAML_BYTES)
    return { diagnostics: [problem('a lesson file may be at most 1 MiB')] };
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES, uniqueKeys: true });
  } catch (err) {
    return {
      diagnostics: [
        problem(`not a YAML file: ${err instanceof Error ? err.message.split('\n')[0] : err}`),
      ],
    };
  }
  const parsed = Lesson.safeParse(raw);
  if (!parsed.success)
    return {
      diagnostics: parsed.error.issues.map((i) =>
        problem(`${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`, i.path as string[]),
      ),
    };
  const lesson = parsed.data;
  let design: Design | undefined;
  let designYaml: string;
  if (lesson.scenario) {
    designYaml = findScenario(lesson.scenario)!.yaml;
    design = designFromYaml(designYaml).design;
  } else {
    const d = parseDesign(lesson.design);
    if (!d.design)
      return {
        diagnostics: d.diagnostics.map((x) => ({
          ...x,
          message: `design: ${x.message}`,
          path: ['design', ...(x.path ?? [])],
        })),
      };
    design = d.design;
    designYaml = designToYaml(design);
  }
  if (!design) return { diagnostics: [problem('the scenario could not be read')] };
  const ids = new Set(Object.keys(design.nodes));
  const links = new Set(linkIds(design));
  const diagnostics: Diagnostic[] = [];
  lesson.steps.forEach((step, i) => {
    const { elements, links: ls } = named(step.check);
    for (const e of elements)
      if (!ids.has(e))
        diagnostics.push(
          problem(`step ${i + 1} (${step.title}) names ${e}, which the design does not have`, [
            'steps',
            i,
          ]),
        );
    for (const l of ls)
      if (!links.has(l))
        diagnostics.push(
          problem(
            `step ${i + 1} (${step.title}) names the link ${l}, which the design does not have`,
            ['steps', i],
          ),
        );
  });
  if (diagnostics.length) return { diagnostics };
  return {
    lesson: {
      lesson,
      design,
      designYaml,
      ...(lesson.scenario ? { scenario: lesson.scenario } : {}),
    },
    diagnostics: [],
  };
}
