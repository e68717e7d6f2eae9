import type { Diagnostic } from '@netcanvas/shared';
import { type ReactNode, useEffect, useId, useState } from 'react';
import type { z } from 'zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Checks one field against the shared schema; the message is the schema's own. */
export function bySchema<T>(
  schema: z.ZodType<T>,
  convert: (raw: string) => unknown = (r) => r,
  range?: string,
) {
  return (raw: string): Parsed<T> => {
    const result = schema.safeParse(convert(raw));
    if (result.success) return { ok: true, value: result.data };
    const issue = result.error.issues[0];
    // Numbers: say the allowed range in words rather than zod's "Too big: expected number to be <=4094".
    if (range && issue && ['too_big', 'too_small', 'invalid_type'].includes(issue.code))
      return { ok: false, message: range };
    return { ok: false, message: issue?.message ?? 'invalid value' };
  };
}

export const toNumber = (raw: string) =>
  raw.trim() === '' ? undefined : /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
export const emptyToUndefined = (raw: string) => (raw.trim() === '' ? undefined : raw.trim());

/**
 * A text input validated as you type: a valid value is committed at once, an
 * invalid one stays in the box with the schema's message under it and never
 * reaches the document.
 */
export function Field<T>(props: {
  label: string;
  testid: string;
  value: string;
  parse(raw: string): Parsed<T>;
  onCommit(value: T): void;
  placeholder?: string;
  hint?: ReactNode;
  problems?: Diagnostic[];
  width?: 'full' | 'half';
  mono?: boolean;
}) {
  const id = useId();
  const [draft, setDraft] = useState(props.value);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    // Undo or another browser changed the value: show it unless the user is mid-edit on an invalid draft.
    setDraft(props.value);
    setMessage(null);
  }, [props.value]);
  const problems = props.problems ?? [];
  return (
    <div className={`nc-field ${props.width === 'half' ? 'half' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        data-testid={props.testid}
        className={`${message ? 'invalid' : ''} ${props.mono ? 'mono' : ''}`}
        value={draft}
        placeholder={props.placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => {
          const raw = e.target.value;
          setDraft(raw);
          const parsed = props.parse(raw);
          if (parsed.ok) {
            setMessage(null);
            props.onCommit(parsed.value);
          } else setMessage(parsed.message);
        }}
        onBlur={() => {
          if (message) {
            setDraft(props.value);
            setMessage(null);
          }
        }}
      />
      {message && (
        <div className="nc-field-error" data-testid={`${props.testid}-error`}>
          {message}
        </div>
      )}
      {!message &&
        problems.map((p) => (
          <div key={p.code + p.message} className={`nc-field-problem sev-${p.severity}`}>
            {p.message}
          </div>
        ))}
      {props.hint && !message && <div className="nc-field-hint">{props.hint}</div>}
    </div>
  );
}

export function Select<T extends string>(props: {
  label: string;
  testid: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange(value: T): void;
  hint?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="nc-field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        data-testid={props.testid}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.hint && <div className="nc-field-hint">{props.hint}</div>}
    </div>
  );
}
