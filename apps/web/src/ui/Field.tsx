import type { Diagnostic } from '@netcanvas/shared';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { z } from 'zod';
import { useApp } from './context';

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
 * A text input validated as you type: the schema's message stays under it
 * while the text is invalid. It commits on Enter or when the field loses focus,
 * never per keystroke: a subnet typed key by key passes through values that are
 * valid but not meant (`10.1.10.0/3` on the way to `/33`), and a VLAN id or an
 * element id through every prefix of what is typed. One commit is one undo step.
 *
 * Enter accepts, Escape goes back to the stored value. Leaving with an invalid
 * text shows the stored value again and says, under the field, that the text
 * was not applied and why, until the next edit: a revert the user is not told
 * about reads as a save.
 *
 * A value another tab stores while this field is being typed in does not
 * replace the text being typed: the field says what the other tab set, and
 * committing the text wins (the other tab is told); Escape takes theirs.
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
  /** `inline`: label beside a short input, for a panel's bar (messages wrap under it). */
  width?: 'full' | 'half' | 'inline';
  mono?: boolean;
  /** The input's tooltip. */
  title?: string;
}) {
  const id = useId();
  const commitOverriding = useApp((s) => s.commitOverriding);
  const [draft, setDraft] = useState(props.value);
  const [message, setMessage] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  /** A value another tab stored while this field was being typed in. */
  const [remote, setRemote] = useState<string | null>(null);
  // Escape blurs the field; that blur must not commit or complain about the text just dropped.
  const cancelling = useRef(false);
  // Focused and typed in since: a draft worth keeping.
  const typing = useRef(false);
  const draftNow = useRef(draft);
  draftNow.current = draft;
  useEffect(() => {
    if (typing.current && draftNow.current !== props.value) {
      // Another tab changed the value under the user's typing: keep the typing, say so.
      setRemote(props.value);
      return;
    }
    // Undo or another browser changed the value: show it.
    setDraft(props.value);
    setMessage(null);
    setNote(null);
    setRemote(null);
  }, [props.value]);
  /** Commits a value; over another tab's newer one it is marked so that tab is told. */
  const commit = (value: T) => {
    if (remote === null) props.onCommit(value);
    else commitOverriding(() => props.onCommit(value));
    setRemote(null);
  };
  const problems = props.problems ?? [];
  const pending = !message && draft !== props.value;
  return (
    <div
      className={`nc-field ${props.width === 'half' || props.width === 'inline' ? props.width : ''}`}
    >
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        data-testid={props.testid}
        className={`${message ? 'invalid' : ''} ${props.mono ? 'mono' : ''}`}
        value={draft}
        placeholder={props.placeholder}
        title={props.title}
        spellCheck={false}
        autoComplete="off"
        onFocus={() => {
          typing.current = false;
        }}
        onChange={(e) => {
          const raw = e.target.value;
          typing.current = true;
          setDraft(raw);
          setNote(null);
          const parsed = props.parse(raw);
          setMessage(parsed.ok ? null : parsed.message);
        }}
        onKeyDown={(e) => {
          const raw = e.currentTarget.value;
          if (e.key === 'Enter') {
            const parsed = props.parse(raw);
            if (!parsed.ok) return;
            if (raw !== props.value) commit(parsed.value);
            typing.current = false;
          } else if (e.key === 'Escape') {
            // Back to the stored value (the other tab's newer one, if it came meanwhile).
            setDraft(remote ?? props.value);
            setMessage(null);
            setNote(null);
            setRemote(null);
            typing.current = false;
            cancelling.current = true;
            e.currentTarget.blur();
            cancelling.current = false;
          }
        }}
        onBlur={(e) => {
          typing.current = false;
          if (cancelling.current) return;
          const raw = e.currentTarget.value;
          if (raw === props.value) {
            setMessage(null);
            setRemote(null);
            return;
          }
          const parsed = props.parse(raw);
          if (parsed.ok) {
            commit(parsed.value);
            return;
          }
          setDraft(props.value);
          setMessage(null);
          setRemote(null);
          setNote(
            `not applied: ${parsed.message}; ${props.value === '' ? 'left it empty' : `kept ${props.value}`}`,
          );
        }}
      />
      {remote !== null && (
        <div className="nc-field-problem sev-warning" data-testid={`${props.testid}-remote`}>
          another tab set {remote === '' ? 'it empty' : remote}; Enter keeps yours, Esc takes theirs
        </div>
      )}
      {message && (
        <div className="nc-field-error" data-testid={`${props.testid}-error`}>
          {message}
        </div>
      )}
      {note && (
        <div className="nc-field-problem sev-warning" data-testid={`${props.testid}-note`}>
          {note}
        </div>
      )}
      {!message &&
        problems.map((p) => (
          <div key={p.code + p.message} className={`nc-field-problem sev-${p.severity}`}>
            {p.message}
          </div>
        ))}
      {pending && <div className="nc-field-hint">Enter applies, Esc reverts</div>}
      {props.hint && !message && !pending && <div className="nc-field-hint">{props.hint}</div>}
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
