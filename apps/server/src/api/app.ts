/**
 * The REST API (Express 5). `createApp(deps)` so tests inject a store and an
 * engine; the socket is attached to the same server by `attachWebSocket`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DESIGN_ID_RE,
  type Design,
  diagnose,
  EditOps,
  ELEMENT_ID_RE,
  IFNAME_RE,
  LAB_NAME_RE,
  LINK_ID_RE,
  recordHints,
  renderScript,
} from '@netcanvas/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type Engine, LabBusyError } from '../lab/engine.js';
import { LiveHub } from '../live/hub.js';
import { type LiveSources, noLiveSources } from '../live/sources.js';
import {
  DesignNotFoundError,
  InvalidDesignError,
  NameTakenError,
  type Store,
} from '../store/store.js';
import type { LabTools } from '../tools/lab-tools.js';
import { ToolInputError } from '../tools/traceroute.js';
import { answer, DesignEdits } from './edits.js';
import {
  authenticate,
  cookieName,
  type FrontDoor,
  hostAllowed,
  MAX_BODY_BYTES,
  originCheck,
  tokenMatches,
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
  const hub =
    deps.hub ?? new LiveHub({ store, engine, sources: deps.sources ?? noLiveSources, logger });
  const edits = new DesignEdits({ store, hub, engine, logger });
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
    next();
  });

  // 2. Token exchange: `/?token=…` (the URL printed at start) becomes a cookie, then the token leaves the address bar.
  app.get('/', (req, res, next) => {
    const token = req.query.token;
    if (token === undefined) {
      next();
      return;
    }
    if (typeof token !== 'string' || !tokenMatches(deps, token)) {
      next(
        new HttpError(
          401,
          'bad-token',
          'this link is not valid; use the URL the server printed at start',
        ),
      );
      return;
    }
    res.setHeader(
      'Set-Cookie',
      `${cookieName(req.headers.host)}=${deps.token}; HttpOnly; SameSite=Strict; Path=/`,
    );
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, '/');
  });

  const api = express.Router();
  app.use('/api', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    const auth = authenticate(deps, req);
    if (!auth) {
      next(
        new HttpError(401, 'unauthorized', 'a token is required: open the URL the server printed'),
      );
      return;
    }
    if (MUTATING.has(req.method)) {
      const o = originCheck(deps, req, auth);
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

  api.get('/session', (_req, res) => {
    res.json({ ok: true });
  });

  api.get('/designs', (_req, res) => {
    res.json({ designs: store.list() });
  });

  api.post('/designs', (req, res) => {
    const { doc } = body(z.strictObject({ doc: z.unknown() }), req);
    const rec = store.create(doc);
    res.status(201).json({ ...rec, diagnostics: diagnosticsOf(rec.doc, logger) });
  });

  api.post('/designs/import', (req, res) => {
    const { yaml } = body(z.strictObject({ yaml: z.string().max(MAX_BODY_BYTES) }), req);
    const rec = store.importYaml(yaml);
    res.status(201).json({ ...rec, diagnostics: diagnosticsOf(rec.doc, logger) });
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

  api.delete('/designs/:id', (req, res) => {
    const id = designId(req);
    store.delete(id);
    hub.publish({ design: id }, { kind: 'design-deleted', id });
    res.status(204).end();
  });

  api.get('/designs/:id/versions', (req, res) => {
    res.json({ versions: store.history(designId(req)) });
  });

  api.get('/designs/:id/versions/:version', (req, res) => {
    const version = Number(param(req, 'version', /^[1-9]\d{0,14}$/, 'version'));
    res.json(store.get(designId(req), version));
  });

  api.post('/designs/:id/restore', async (req, res) => {
    const id = designId(req);
    const { version } = body(
      z.strictObject({ version: Version, baseVersion: Version.optional() }),
      req,
    );
    await edits.ensureAddresses(id);
    res.json(edits.restore(id, version).record);
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
  const labDesign = (req: Request): Design =>
    store.get(param(req, 'design', DESIGN_ID_RE, 'design id')).doc;
  /** The stored design and its address record, as resolve's hints: what the server decided. */
  const labRecord = (req: Request) =>
    edits.withAddresses(param(req, 'design', DESIGN_ID_RE, 'design id'));
  /** Apply, destroy and link changes of one lab never overlap, whatever the engine does. */
  const changing = new Set<string>();
  async function exclusive<T>(lab: string, fn: () => Promise<T>): Promise<T> {
    if (changing.has(lab)) throw new LabBusyError(lab);
    changing.add(lab);
    try {
      return await fn();
    } finally {
      changing.delete(lab);
    }
  }

  api.get('/labs', async (_req, res) => {
    const names = await engine.labs();
    const labs = await Promise.all(
      names.map(async (lab) => {
        const design = store.byName(lab);
        const hints = design?.addresses ? recordHints(design.addresses, lab) : undefined;
        const status = await engine.status(lab, design?.doc, hints);
        return { lab, design: design ? { id: design.id, version: design.version } : null, status };
      }),
    );
    res.json({ labs });
  });

  api.get('/labs/:design/status', async (req, res) => {
    const { rec, hints } = await labRecord(req);
    res.json(await engine.status(rec.doc.name, rec.doc, hints));
  });

  api.post('/labs/:design/plan', async (req, res) => {
    body(z.strictObject({}), req);
    const { rec, hints } = await labRecord(req);
    // The script is rendered from the plan the ops were diffed from, so both
    // show the addresses of the design's record.
    const { ops, diagnostics, plan } = await engine.plan(rec.doc, hints);
    res.json({ ops, diagnostics, script: plan ? renderScript(plan) : null });
  });

  api.post('/labs/:design/apply', async (req, res) => {
    body(z.strictObject({}), req);
    const { rec, hints } = await labRecord(req);
    const design = rec.doc;
    const result = await exclusive(design.name, () =>
      engine.apply(design, (p) => hub.applyProgress(p), hints),
    );
    await hub.labChanged(design.name);
    res.status(result.ok ? 200 : 422).json(result);
  });

  api.post('/labs/:design/destroy', async (req, res) => {
    body(z.strictObject({}), req);
    const design = labDesign(req);
    deps.tools?.stopCaptures?.(design.name);
    const result = await exclusive(design.name, () => engine.destroy(design.name));
    await hub.labChanged(design.name);
    res.json(result);
  });

  // A lab found in the kernel with no stored design (another server, the CLI, a crash) can still be removed.
  api.post('/labs/by-name/:lab/destroy', async (req, res) => {
    body(z.strictObject({}), req);
    const lab = param(req, 'lab', LAB_NAME_RE, 'lab name');
    deps.tools?.stopCaptures?.(lab);
    const result = await exclusive(lab, () => engine.destroy(lab));
    await hub.labChanged(lab);
    res.json(result);
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
    const lab = store.get(id).doc.name;
    const kernel = await exclusive(lab, () => engine.setLinkState(lab, link, state));
    await edits.ensureAddresses(id);
    const outcome = edits.apply(id, [{ op: 'link.set', id: link, field: 'state', value: state }], {
      by: null,
    });
    const gone = outcome.notices.some((n) => n.code === 'gone');
    if (gone && !kernel.changed)
      throw new HttpError(404, 'not-found', `the design has no link ${link}`);
    await hub.labChanged(lab);
    res.json({ link, state, kernel: kernel.changed, version: outcome.record.version });
  });

  api.post('/labs/:design/ping', async (req, res) => {
    const { from, to } = body(z.strictObject({ from: Element, to: Element }), req);
    res.json(await engine.ping(labDesign(req), from, to));
  });

  api.post('/labs/:design/matrix', async (req, res) => {
    body(z.strictObject({}), req);
    const design = labDesign(req);
    const result = await engine.matrix(design, (r) =>
      hub.publish({ lab: design.name }, { kind: 'matrix', result: r }),
    );
    res.json(result);
  });

  api.post('/labs/:design/traceroute', async (req, res) => {
    const { from, to } = body(z.strictObject({ from: Element, to: Element }), req);
    if (!deps.tools)
      throw new HttpError(501, 'not-available', 'traceroute is not available on this server');
    res.json(await deps.tools.traceroute(labDesign(req), from, to));
  });

  api.post('/labs/:design/captures', async (req, res) => {
    const spec = body(
      z.strictObject({
        node: Element,
        dev: z.string().regex(IFNAME_RE, 'interface names are 1–15 characters'),
        packets: z.number().int().min(1).max(10_000).default(100),
        seconds: z.number().int().min(1).max(120).default(10),
      }),
      req,
    );
    if (!deps.tools)
      throw new HttpError(501, 'not-available', 'capture is not available on this server');
    const design = labDesign(req);
    const capture = deps.tools.startCapture(design, spec, (lines, done) =>
      hub.publish(
        { lab: design.name },
        { kind: 'capture', capture: capture.id, lines, ...(done ? { done } : {}) },
      ),
    );
    res.status(202).json({ id: capture.id });
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
  if (err instanceof NameTakenError)
    return new HttpError(409, 'name-taken', err.message, { owner: err.ownerId });
  if (err instanceof ToolInputError) return new HttpError(400, 'bad-tool-input', err.message);
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
