/**
 * The REST API (Express 5). `createApp(deps)` so tests inject a store and an
 * engine; the socket is attached to the same server by `attachWebSocket`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ApplyAnswer,
  type CaptureStarted,
  DESIGN_ID_RE,
  type Design,
  type DesignList,
  diagnose,
  EditOps,
  ELEMENT_ID_RE,
  IFNAME_RE,
  LAB_NAME_RE,
  type LabList,
  LINK_ID_RE,
  MeasureRequest,
  type PingAnswer,
  PingSize,
  recordFromHints,
  recordHints,
  renderScript,
  type TracerouteAnswer,
  type VersionList,
} from '@netcanvas/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isSpawnFailure } from '../kernel/exec.js';
import { type AuditEntry, type AuditLog, noAudit } from '../lab/audit.js';
import { type Engine, LabBusyError, LabRequestError } from '../lab/engine.js';
import { describeOwner, type LabOwner, sameOwner } from '../lab/state.js';
import { LiveHub } from '../live/hub.js';
import { type LiveSources, noLiveSources } from '../live/sources.js';
import {
  type CreateOptions,
  DesignNotFoundError,
  type DesignRecord,
  type DesignSummary,
  InvalidDesignError,
  LabTakenError,
  labDesignOf,
  StorageCorruptError,
  StorageError,
  StorageFullError,
  type Store,
} from '../store/store.js';
import { MAX_FILTER } from '../tools/capture.js';
import type { LabTools } from '../tools/lab-tools.js';
import { ToolInputError } from '../tools/traceroute.js';
import { answer, DesignEdits } from './edits.js';
import {
  authenticate,
  CONTENT_SECURITY_POLICY,
  type FrontDoor,
  hostAllowed,
  MAX_BODY_BYTES,
  originCheck,
  type Principal,
} from './security.js';

export interface AppDeps extends FrontDoor {
  store: Store;
  engine: Engine;
  logger: Logger;
  /** Shared with the socket; created here when not given. */
  hub?: LiveHub;
  sources?: LiveSources;
  /** Built web app (apps/web/dist), served from the same origin when present. */
  webRoot?: string;
  /** Traceroute and capture; absent → 501. */
  tools?: LabTools;
  /** Where kernel changes are recorded (the state directory's audit.log). */
  audit?: AuditLog;
}

/** Who asked, as the audit log names it. */
export function clientOf(p: Principal | null | undefined): string {
  if (!p) return 'unknown';
  return p.kind === 'master' ? 'master' : `session:${p.id}`;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function param(req: Request, name: string, re: RegExp, what: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || !re.test(v))
    throw new HttpError(400, 'bad-parameter', `${what} is not valid`);
  return v;
}

function body<T>(schema: z.ZodType<T>, req: Request): T {
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
    throw new HttpError(400, 'bad-request', `${issue?.message ?? 'invalid body'}${where}`);
  }
  return r.data;
}

const Version = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const Ref = z.string().min(1).max(64);
const Element = z
  .string()
  .regex(ELEMENT_ID_RE, 'element ids are lower-case letters, digits and "-"');

/** Semantic diagnostics for a stored design; a stage not yet able to answer must not break storage. */
function diagnosticsOf(doc: unknown, logger: Logger): unknown[] {
  try {
    return diagnose(doc).diagnostics;
  } catch (err) {
    logger.warn({ err: String(err) }, 'diagnose failed');
    return [];
  }
}

export function createApp(deps: AppDeps): express.Express {
  const { store, engine, logger } = deps;
  const audit = deps.audit ?? noAudit;
  const owners = engine.owners;
  /** The registry's record of a design of this store. */
  const designOwner = (rec: DesignSummary): LabOwner => ({
    kind: 'design',
    id: rec.id,
    name: rec.name,
    ...(rec.title !== undefined ? { title: rec.title } : {}),
    store: store.path,
  });
  /** A design of this store that was deleted (the registry forgets a design whose store is gone). */
  const gone = (owner: LabOwner): boolean =>
    owner.kind === 'design' && owner.store === store.path && !store.has(owner.id);
  const ownerOf = (lab: string): LabOwner | undefined => {
    const owner = owners.get(lab);
    return owner && !gone(owner) ? owner : undefined;
  };
  /** Claims a lab name in the registry, over the record of a design that no longer exists. */
  function claim(lab: string, owner: LabOwner): LabOwner {
    const now = owners.get(lab);
    if (now && gone(now)) owners.release(lab, now);
    return owners.claim(lab, owner);
  }
  // Designs stored before the registry existed (or by a server with another
  // state directory) claim their labs now; a name someone else holds stays theirs.
  for (const d of store.list()) {
    const owner = claim(d.lab, designOwner(d));
    if (!sameOwner(owner, designOwner(d)))
      logger.warn(
        { lab: d.lab, design: d.id },
        `lab ${d.lab} belongs to ${describeOwner(owner)}; design ${d.id} cannot change it`,
      );
  }
  const hub =
    deps.hub ?? new LiveHub({ store, engine, sources: deps.sources ?? noLiveSources, logger });
  const edits = new DesignEdits({
    store,
    hub,
    engine,
    logger,
    // The registry names the design in refusals: keep its name and title current.
    onChanged(rec) {
      const owner = owners.get(rec.lab);
      if (
        owner?.kind === 'design' &&
        owner.id === rec.id &&
        (owner.name !== rec.name || owner.title !== rec.title)
      )
        owners.set(rec.lab, designOwner(rec));
    },
  });
  const app = express();
  app.locals.hub = hub;
  app.locals.edits = edits;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // 1. Host allowlist, for everything (static files included: DNS rebinding reads them too).
  app.use((req, res, next) => {
    if (!hostAllowed(deps, req.headers.host)) {
      next(new HttpError(403, 'bad-host', 'this server only answers to its own address'));
      return;
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!req.path.startsWith('/api'))
      res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    next();
  });

  const api = express.Router();
  app.use('/api', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    // The one route open without a secret: trading a login code for one.
    const open = req.method === 'POST' && req.path === '/login';
    const principal = open ? null : authenticate(deps, req);
    if (!open && !principal) {
      next(
        new HttpError(
          401,
          'unauthorized',
          'not logged in: open the link `netcanvas login` prints (or the one the server printed at start)',
        ),
      );
      return;
    }
    res.locals.principal = principal;
    if (MUTATING.has(req.method)) {
      const o = originCheck(deps, req);
      if (!o.ok) {
        next(new HttpError(403, 'bad-origin', o.reason));
        return;
      }
      const hasBody =
        req.method !== 'DELETE' ||
        req.headers['transfer-encoding'] !== undefined ||
        Number(req.headers['content-length'] ?? 0) > 0;
      if (hasBody && !req.is('application/json')) {
        next(new HttpError(415, 'json-only', 'send the body as application/json'));
        return;
      }
    }
    next();
  });
  app.use('/api', express.json({ limit: MAX_BODY_BYTES, strict: true, type: 'application/json' }));
  app.use('/api', api);

  // ─────────── designs ───────────
  const designId = (req: Request) => param(req, 'id', DESIGN_ID_RE, 'design id');

  // ─────────── login and sessions ───────────
  const principalOf = (res: Response): Principal => res.locals.principal as Principal;

  api.post('/login', (req, res) => {
    const { code } = body(z.strictObject({ code: z.string().max(200) }), req);
    const ua = req.headers['user-agent'];
    const got = deps.sessions.exchange(code, typeof ua === 'string' ? ua : 'unknown');
    if (!got)
      throw new HttpError(
        401,
        'bad-login-code',
        'this login link was already used or has expired (they are valid once, for 5 minutes): run `netcanvas login` for a new one',
      );
    logger.info({ session: got.session.id }, 'browser session opened');
    res.status(201).json({ session: got.session, secret: got.secret });
  });

  api.post('/login/codes', (req, res) => {
    body(z.strictObject({}), req);
    if (principalOf(res).kind !== 'master')
      throw new HttpError(403, 'master-only', 'login codes are minted with the master token');
    const { code, expiresAt } = deps.sessions.mintCode();
    res.status(201).json({ code, expiresAt, url: `http://${req.headers.host}/#login=${code}` });
  });

  api.get('/sessions', (_req, res) => {
    const p = principalOf(res);
    res.json({
      sessions: deps.sessions
        .list()
        .map((s) => ({ ...s, current: p.kind === 'session' && p.id === s.id })),
    });
  });

  api.delete('/sessions/:session', (req, res) => {
    const id = param(req, 'session', /^[0-9a-f]{12}$/, 'session id');
    if (!deps.sessions.revoke(id)) throw new HttpError(404, 'not-found', `no session ${id}`);
    logger.info({ session: id, by: clientOf(principalOf(res)) }, 'session revoked');
    res.status(204).end();
  });

  api.get('/session', (_req, res) => {
    const p = principalOf(res);
    res.json({
      ok: true,
      via: p.kind,
      session: p.kind === 'session' ? p.id : null,
      storage: { path: store.path, recovered: store.recovered ?? null },
    });
  });

  api.get('/designs', (_req, res) => {
    res.json({ designs: store.list() } satisfies DesignList);
  });

  /** Who holds a lab name, said to a person. */
  function holderOf(lab: string): string {
    const owner = ownerOf(lab);
    return owner ? describeOwner(owner) : 'a lab of that name running on this machine';
  }

  /**
   * Stores a new design and fixes its lab: the requested name when no stored
   * design, registry entry or namespace has it, else the next free `-N`,
   * claimed in the registry in the same step. The answer says when the name
   * was not the one asked for.
   */
  async function createDesign(make: (o: CreateOptions) => DesignRecord) {
    const running = new Set(await engine.labs());
    let claimed: { lab: string; owner: LabOwner } | undefined;
    let rec: DesignRecord;
    try {
      rec = make({
        claimLab(lab, id) {
          if (running.has(lab)) return false;
          const owner: LabOwner = { kind: 'design', id, name: lab, store: store.path };
          if (!sameOwner(claim(lab, owner), owner)) return false;
          claimed = { lab, owner };
          return true;
        },
      });
    } catch (err) {
      if (claimed) owners.release(claimed.lab, claimed.owner);
      throw err;
    }
    owners.set(rec.lab, designOwner(rec));
    return {
      ...rec,
      diagnostics: diagnosticsOf(rec.doc, logger),
      ...(rec.lab !== rec.doc.name
        ? {
            labNotice: `Lab ${rec.doc.name} is taken (by ${holderOf(rec.doc.name)}), so this design's lab is ${rec.lab}.`,
          }
        : {}),
    };
  }

  api.post('/designs', async (req, res) => {
    const { doc } = body(z.strictObject({ doc: z.unknown() }), req);
    res.status(201).json(await createDesign((o) => store.create(doc, o)));
  });

  // A copy under a lab of its own, with the original's addresses: what the
  // students were told ("c2 is 10.0.10.3") stays true in their copies.
  api.post('/designs/:id/duplicate', async (req, res) => {
    const id = designId(req);
    body(z.strictObject({}), req);
    await edits.ensureAddresses(id);
    const rec = store.get(id);
    const title = `${rec.title || rec.doc.name} (copy)`.slice(0, 120);
    const addresses = rec.addresses ?? {};
    const copy = await createDesign((o) =>
      store.create({ ...rec.doc, title }, { ...o, addresses }),
    );
    res.status(201).json(copy);
  });

  api.post('/designs/import', async (req, res) => {
    const { yaml } = body(z.strictObject({ yaml: z.string().max(MAX_BODY_BYTES) }), req);
    res.status(201).json(await createDesign((o) => store.importYaml(yaml, o)));
  });

  api.get('/designs/:id', async (req, res) => {
    const id = designId(req);
    await edits.ensureAddresses(id);
    const rec = store.get(id);
    res.json({ ...rec, refs: store.recentRefs(id), diagnostics: diagnosticsOf(rec.doc, logger) });
  });

  // The socket's `design-ops`, for a client whose socket is down: the same batch, the same answer.
  api.post('/designs/:id/ops', async (req, res) => {
    const id = designId(req);
    const batch = body(
      z.strictObject({ baseVersion: z.number().int().min(0), ops: EditOps, ref: Ref }),
      req,
    );
    await edits.ensureAddresses(id);
    res.json(answer(edits.apply(id, batch.ops, { by: null, ref: batch.ref }), batch.ref));
  });

  api.put('/designs/:id', async (req, res) => {
    const id = designId(req);
    const { baseVersion, doc } = body(
      z.strictObject({ baseVersion: Version, doc: z.unknown() }),
      req,
    );
    await edits.ensureAddresses(id);
    // Applied as the ops between the writer's base version and `doc`: edits made
    // meanwhile by others are kept, never refused as stale.
    const { record, notices } = edits.save(id, baseVersion, doc);
    // Lean answer: the client holds the document and runs diagnose itself
    // (GET answers with diagnostics).
    const { doc: _stored, addresses: _addresses, ...summary } = record;
    res.json({ ...summary, notices });
  });

  // A design whose lab runs is not deleted: the lab would be left with no design to reach it.
  api.delete('/designs/:id', async (req, res) => {
    const id = designId(req);
    const rec = store.get(id);
    const { lab } = rec;
    // Held while deciding, so an apply cannot start the lab in between (a change in flight: 409 lab-busy).
    await engine.exclusive(lab, async () => {
      if ((await engine.labs()).includes(lab))
        throw new HttpError(
          409,
          'lab-running',
          `lab ${lab} of this design is running: destroy the lab first, then delete the design`,
          { lab },
        );
      store.delete(id);
      owners.release(lab, designOwner(rec));
    });
    hub.publish({ design: id }, { kind: 'design-deleted', id });
    res.status(204).end();
  });

  api.get('/designs/:id/versions', (req, res) => {
    res.json({ versions: store.history(designId(req)) } satisfies VersionList);
  });

  api.get('/designs/:id/versions/:version', (req, res) => {
    const version = Number(param(req, 'version', /^[1-9]\d{0,14}$/, 'version'));
    res.json(store.get(designId(req), version));
  });

  api.post('/designs/:id/restore', async (req, res) => {
    const id = designId(req);
    const { version, baseVersion } = body(
      z.strictObject({ version: Version, baseVersion: Version.optional() }),
      req,
    );
    await edits.ensureAddresses(id);
    res.json(edits.restore(id, version, baseVersion).record);
  });

  api.get('/designs/:id/export', (req, res) => {
    const id = designId(req);
    const v = req.query.version;
    const version = typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v) ? Number(v) : undefined;
    const rec = store.get(id, version);
    const text = store.exportYaml(id, version);
    res.setHeader('Content-Type', 'application/yaml; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${rec.name}.yaml"`);
    res.send(text);
  });

  // ─────────── labs ───────────
  /** The design named in the path, under the lab it owns: every lab operation uses this one. */
  const labDesign = (req: Request): Design =>
    labDesignOf(store.get(param(req, 'design', DESIGN_ID_RE, 'design id')));
  /** A design changes only its own lab (claimed now if the registry lost it). */
  function ownLabOf(rec: DesignRecord): Design {
    const owner = claim(rec.lab, designOwner(rec));
    if (!sameOwner(owner, designOwner(rec)))
      throw new HttpError(
        409,
        'lab-owned',
        `lab ${rec.lab} belongs to ${describeOwner(owner)}; this design cannot change it`,
        { lab: rec.lab },
      );
    return labDesignOf(rec);
  }
  const ownLab = (req: Request): Design =>
    ownLabOf(store.get(param(req, 'design', DESIGN_ID_RE, 'design id')));
  /**
   * The design named in the path, under the lab it owns, and its address
   * record as resolve's hints (what the server decided) for plan, apply and status.
   */
  const labRecord = (req: Request) =>
    edits.withAddresses(param(req, 'design', DESIGN_ID_RE, 'design id'));
  // Every lab on this machine, whoever started it, with its owner: a design
  // of this store, another owner in the registry (the CLI), or nobody.
  api.get('/labs', async (_req, res) => {
    const names = await engine.labs();
    const labs = await Promise.all(
      names.map(async (lab) => {
        const rec = store.byLab(lab);
        const design = rec ? labDesignOf(rec) : engine.lastDesign?.(lab);
        const hints = rec?.addresses ? recordHints(rec.addresses, lab) : undefined;
        const status = await engine.status(lab, design, hints);
        return {
          lab,
          design: rec
            ? {
                id: rec.id,
                version: rec.version,
                name: rec.name,
                ...(rec.title !== undefined ? { title: rec.title } : {}),
              }
            : null,
          owner: ownerOf(lab) ?? null,
          elements: design ? Object.keys(design.nodes).length : null,
          since: engine.since?.(lab) ?? null,
          status,
        };
      }),
    );
    res.json({ labs } satisfies LabList);
  });

  // "Open as design": a lab with no design of its own (brought up by the CLI)
  // becomes a stored design, made from the design it was last applied from,
  // and that design owns it from now on. Never done without being asked.
  api.post('/labs/by-name/:lab/adopt', async (req, res) => {
    body(z.strictObject({}), req);
    const lab = param(req, 'lab', LAB_NAME_RE, 'lab name');
    const stored = store.byLab(lab);
    if (stored)
      throw new HttpError(409, 'lab-owned', `lab ${lab} already belongs to ${holderOf(lab)}`, {
        lab,
        design: stored.id,
      });
    const owner = ownerOf(lab);
    if (owner?.kind === 'design')
      throw new HttpError(
        409,
        'lab-owned',
        `lab ${lab} belongs to ${describeOwner(owner)}, which is not in this dashboard's store`,
        { lab },
      );
    const last = engine.lastDesign?.(lab);
    if (!last)
      throw new HttpError(
        409,
        'no-design',
        `no design is known for lab ${lab} (it was not brought up on this machine, or its memory was lost): destroy it, or bring it up again from its file`,
        { lab },
      );
    const rec = await engine.exclusive(lab, async () => {
      // The running lab's addresses become the design's record: adopting renumbers nothing.
      const seen = (await engine.addresses?.(lab)) ?? {};
      const made = store.create(
        { ...last, name: lab },
        { lab, addresses: recordFromHints(seen, lab) },
      );
      owners.set(lab, designOwner(made));
      return made;
    });
    await hub.labChanged(lab);
    res.status(201).json({ ...rec, diagnostics: diagnosticsOf(rec.doc, logger) });
  });

  api.get('/labs/:design/status', async (req, res) => {
    const { rec, hints } = await labRecord(req);
    res.json(await engine.status(rec.lab, labDesignOf(rec), hints));
  });

  api.post('/labs/:design/plan', async (req, res) => {
    body(z.strictObject({}), req);
    const { rec, hints } = await labRecord(req);
    // The script is rendered from the plan the ops were diffed from, so both
    // show the addresses of the design's record.
    const { ops, diagnostics, plan } = await engine.plan(labDesignOf(rec), hints);
    res.json({ ops, diagnostics, script: plan ? renderScript(plan) : null });
  });

  /** Runs a kernel change and writes its audit line, whatever the outcome. */
  async function audited<T>(
    res: Response,
    entry: Pick<AuditEntry, 'action' | 'lab' | 'design'> & Record<string, unknown>,
    fn: () => Promise<T>,
    /** The line's outcome; null: the kernel was not asked to change anything, no line. */
    outcome: (r: T) => (Pick<AuditEntry, 'ops' | 'result'> & Record<string, unknown>) | null,
  ): Promise<T> {
    const client = clientOf(res.locals.principal as Principal);
    let r: T;
    try {
      r = await fn();
    } catch (err) {
      // A refused request (busy lab, bad input) changed nothing: no line. A
      // change the kernel refused (422) ran, and was undone: it has one.
      const refused =
        err instanceof LabBusyError || (err instanceof LabRequestError && err.status !== 422);
      if (!refused)
        audit.record({ ...entry, ops: 0, result: 'error', client, message: String(err) });
      throw err;
    }
    const done = outcome(r);
    if (done) audit.record({ ...entry, client, ...done });
    return r;
  }

  api.post('/labs/:design/apply', async (req, res) => {
    body(z.strictObject({}), req);
    const id = param(req, 'design', DESIGN_ID_RE, 'design id');
    const { rec, hints } = await labRecord(req);
    const design = ownLabOf(rec);
    const result = await audited(
      res,
      { action: 'apply', lab: design.name, design: id },
      () => engine.apply(design, (p) => hub.applyProgress(p), hints),
      (r) => ({
        ops: r.ops.length,
        result: r.ok ? 'ok' : 'failed',
        ...(r.failure ? { message: r.failure.kernelMessage } : {}),
        ...(r.rollback ? { rollback: r.rollback.state } : {}),
      }),
    );
    // The kernel work and its verification are done: answer now; the status follows over the
    // socket, started once the answer is sent ('close': written out, or its client gone), as its
    // first step resolves the design, a second of work for a 2,000-element lab that must not hold
    // the answer back.
    // Not the resolved topology (several MB for a 1,124-namespace lab): the browser resolves its own.
    const { topology: _topology, ...answer } = result;
    res.once('close', () => {
      hub
        .labChanged(design.name)
        .catch((err: unknown) =>
          logger.warn({ lab: design.name, err: String(err) }, 'status after apply failed'),
        );
    });
    res.status(result.ok ? 200 : 422).json(answer satisfies ApplyAnswer);
  });

  async function destroyLab(res: Response, lab: string, design: string | null) {
    deps.tools?.stopCaptures?.(lab);
    const result = await audited(
      res,
      { action: 'destroy', lab, design },
      () => engine.destroy(lab),
      (r) => ({ ops: r.removed.length, result: 'ok' }),
    );
    // As apply: the namespaces are gone, answer now; the status follows over the socket.
    res.json(result);
    hub
      .labChanged(lab)
      .catch((err: unknown) =>
        logger.warn({ lab, err: String(err) }, 'status after destroy failed'),
      );
  }

  api.post('/labs/:design/destroy', async (req, res) => {
    body(z.strictObject({}), req);
    const design = ownLab(req);
    await destroyLab(res, design.name, param(req, 'design', DESIGN_ID_RE, 'design id'));
  });

  // A lab found in the kernel with no stored design (another server, the CLI, a crash) can still be removed.
  api.post('/labs/by-name/:lab/destroy', async (req, res) => {
    body(z.strictObject({}), req);
    const lab = param(req, 'lab', LAB_NAME_RE, 'lab name');
    await destroyLab(res, lab, store.byLab(lab)?.id ?? null);
  });

  /**
   * Cut or restore one link: in the kernel, the design the lab was last
   * applied from with only this link changed (edits not yet applied stay
   * out, for the change review); in the stored design, one op like any edit.
   */
  api.post('/labs/:design/links/:link/state', async (req, res) => {
    const id = param(req, 'design', DESIGN_ID_RE, 'design id');
    const link = param(req, 'link', LINK_ID_RE, 'link id');
    const { state } = body(z.strictObject({ state: z.enum(['up', 'down']) }), req);
    const lab = ownLab(req).name;
    const kernel = await audited(
      res,
      { action: 'link-state', lab, design: id, link, state },
      () => engine.setLinkState(lab, link, state),
      // A lab that is not running (or was applied without this link) is not touched: no line.
      (r) => (r.changed ? { ops: r.ops, result: 'ok' } : null),
    );
    await edits.ensureAddresses(id);
    const outcome = edits.apply(id, [{ op: 'link.set', id: link, field: 'state', value: state }], {
      by: null,
    });
    const gone = outcome.notices.some((n) => n.code === 'gone');
    if (gone && !kernel.changed)
      throw new LabRequestError(`the design has no link ${link}`, 'link', 404, 'not-found');
    await hub.labChanged(lab);
    res.json({ link, state, kernel: kernel.changed, version: outcome.record.version });
  });

  api.post('/labs/:design/ping', async (req, res) => {
    const { from, to, size } = body(
      z.strictObject({ from: Element, to: Element, size: PingSize.optional() }),
      req,
    );
    res.json((await engine.ping(labDesign(req), from, to, size)) satisfies PingAnswer);
  });

  /**
   * One Measure per lab, shared: a second request while it runs (another tab, a reloaded one)
   * joins it and gets its answer rather than pinging every pair again beside it; one at another
   * size is refused. Its start, its pairs and its end go to every tab that follows the lab.
   */
  const matrixRuns = new Map<
    string,
    {
      abort: AbortController;
      size: number | undefined;
      answer: Promise<Awaited<ReturnType<Engine['matrix']>>>;
    }
  >();

  api.post('/labs/:design/matrix', async (req, res) => {
    const { size } = body(MeasureRequest, req);
    const design = labDesign(req);
    const lab = design.name;
    let run = matrixRuns.get(lab);
    if (run && run.size !== size) {
      const at = (n: number | undefined) => (n === undefined ? 'the default size' : `${n} bytes`);
      throw new LabRequestError(
        `a Measure of ${lab} at ${at(run.size)} is running: wait for it or cancel it before measuring at ${at(size)}`,
        'size',
        409,
        'measure-running',
      );
    }
    if (!run) {
      const abort = new AbortController();
      const answer = engine
        .matrix(design, (r) => hub.measureResult(lab, r), {
          signal: abort.signal,
          ...(size !== undefined ? { size } : {}),
          onStart: (total) =>
            hub.measureStarted(lab, { total, ...(size !== undefined ? { size } : {}) }),
        })
        .finally(() => {
          matrixRuns.delete(lab);
          hub.measureEnded(lab);
        });
      run = { abort, size, answer };
      matrixRuns.set(lab, run);
    }
    const result = await run.answer;
    res.json({ ...result, cancelled: run.abort.signal.aborted });
  });

  api.post('/labs/:design/matrix/cancel', (req, res) => {
    body(z.strictObject({}), req);
    const lab = labDesign(req).name;
    const run = matrixRuns.get(lab);
    run?.abort.abort();
    res.json({ cancelled: run !== undefined });
  });

  api.post('/labs/:design/traceroute', async (req, res) => {
    const { from, to } = body(z.strictObject({ from: Element, to: Element }), req);
    if (!deps.tools)
      throw new HttpError(501, 'not-available', 'traceroute is not available on this server');
    res.json((await deps.tools.traceroute(labDesign(req), from, to)) satisfies TracerouteAnswer);
  });

  api.post('/labs/:design/captures', async (req, res) => {
    const spec = body(
      z.strictObject({
        node: Element,
        dev: z.string().regex(IFNAME_RE, 'interface names are 1–15 characters'),
        packets: z.number().int().min(1).max(10_000).default(100),
        seconds: z.number().int().min(1).max(120).default(10),
        filter: z.string().max(MAX_FILTER).optional(),
      }),
      req,
    );
    if (!deps.tools)
      throw new HttpError(501, 'not-available', 'capture is not available on this server');
    const id = param(req, 'design', DESIGN_ID_RE, 'design id');
    const design = labDesign(req);
    const client = clientOf(res.locals.principal as Principal);
    const what = { lab: design.name, design: id, node: spec.node, dev: spec.dev, client };
    const capture = await deps.tools.startCapture(design, spec, (lines, done) => {
      if (done)
        audit.record({
          action: 'capture-stop',
          ...what,
          capture: capture.id,
          ops: 0,
          result: 'ok',
          message: done.reason,
        });
      hub.publish(
        { lab: design.name },
        { kind: 'capture', capture: capture.id, lines, ...(done ? { done } : {}) },
      );
    });
    audit.record({ action: 'capture-start', ...what, capture: capture.id, ops: 0, result: 'ok' });
    res.status(202).json({ id: capture.id } satisfies CaptureStarted);
  });

  api.post('/labs/:design/captures/:capture/stop', (req, res) => {
    body(z.strictObject({}), req);
    const id = param(req, 'capture', /^[a-z0-9]{8,32}$/, 'capture id');
    if (!deps.tools?.stopCapture)
      throw new HttpError(501, 'not-available', 'capture is not available on this server');
    if (!deps.tools.stopCapture(labDesign(req).name, id))
      throw new HttpError(404, 'not-found', `no capture ${id} runs in this lab`);
    res.status(202).json({ id });
  });

  api.get('/captures/:capture', (req, res) => {
    const id = param(req, 'capture', /^[a-z0-9]{8,32}$/, 'capture id');
    if (!deps.tools)
      throw new HttpError(501, 'not-available', 'capture is not available on this server');
    const file = deps.tools.captureFile(id);
    if (!file)
      throw new HttpError(404, 'not-found', `capture ${id} does not exist or is not finished`);
    res.setHeader('Content-Type', 'application/vnd.tcpdump.pcap');
    res.setHeader('Content-Disposition', `attachment; filename="${id}.pcap"`);
    res.sendFile(file);
  });

  api.use((req, _res, next) => {
    next(new HttpError(404, 'not-found', `no API route ${req.method} ${req.path.slice(0, 200)}`));
  });

  // ─────────── the built web app ───────────
  if (deps.webRoot && existsSync(join(deps.webRoot, 'index.html'))) {
    const root = deps.webRoot;
    app.use(express.static(root, { index: 'index.html', dotfiles: 'ignore', fallthrough: true }));
    app.get('/{*path}', (_req, res) => {
      res.sendFile(join(root, 'index.html'));
    });
  }

  app.use((req, _res, next) => {
    next(new HttpError(404, 'not-found', `nothing at ${req.path.slice(0, 200)}`));
  });

  // Errors as JSON, never a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    if (e.status >= 500)
      logger.error({ err, method: req.method, path: req.path }, 'request failed');
    else logger.debug({ status: e.status, code: e.code, path: req.path }, e.message);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...e.extra } });
  });

  return app;
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof LabBusyError)
    return new HttpError(409, 'lab-busy', err.message, { lab: err.lab });
  if (err instanceof LabTakenError)
    return new HttpError(409, 'lab-taken', err.message, {
      lab: err.lab,
      ...(err.ownerId ? { owner: err.ownerId } : {}),
    });
  if (err instanceof ToolInputError) return new HttpError(400, 'bad-tool-input', err.message);
  if (err instanceof LabRequestError)
    return new HttpError(err.status, err.code, err.message, err.field ? { field: err.field } : {});
  if (err instanceof StorageError) {
    const [status, code] =
      err instanceof StorageFullError
        ? [507, 'storage-full']
        : err instanceof StorageCorruptError
          ? [500, 'storage-corrupt']
          : [500, 'storage-error'];
    return new HttpError(status, code, err.message, { path: err.path });
  }
  if (isSpawnFailure(err))
    return new HttpError(
      503,
      'cannot-start-process',
      `the server could not start a process: ${err.message}`,
    );
  if (err instanceof DesignNotFoundError) return new HttpError(404, 'not-found', err.message);
  if (err instanceof InvalidDesignError)
    return new HttpError(400, 'invalid-design', err.message, { diagnostics: err.diagnostics });
  // body-parser errors carry a status and a type, never anything we must hide.
  const e = err as { status?: unknown; type?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    if (e.type === 'entity.too.large')
      return new HttpError(413, 'too-large', `bodies are limited to ${MAX_BODY_BYTES} bytes`);
    if (e.type === 'entity.parse.failed')
      return new HttpError(400, 'bad-json', 'the body is not valid JSON');
    return new HttpError(e.status, 'bad-request', 'the request was refused');
  }
  return new HttpError(500, 'internal', 'internal error; the server log has the details');
}
