/** The `client` option of luminateSso() and luminateLogin(): a LuminateClient the host built itself. */
import { z } from 'zod';
import { isPlainObject } from '../config/parse';
import type { LuminateClient } from './luminate-client';

/** An injected LuminateClient (duck-typed: a client from another copy of this package is fine too). */
export const clientOption = z.custom<LuminateClient>(
  (v) => isPlainObject(v) && typeof v.getSingleSignOnToken === 'function' && typeof v.callServerApi === 'function',
  { error: 'must be a LuminateClient instance.' },
);
