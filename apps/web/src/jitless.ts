/**
 * zod 4 compiles object schemas with `new Function` unless told not to, and
 * probes for it with `Function('')` on the first parse. The page's
 * Content-Security-Policy forbids eval (a secret in localStorage must be out
 * of reach of injected code), so zod is set to interpret schemas instead.
 * Imported first by boot.tsx, before anything parses.
 */
import { z } from 'zod';

z.config({ jitless: true });
