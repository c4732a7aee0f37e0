'use strict';
/** The example site's settings, from the environment (see example-app/README.md). */

const LUMINATE_VARS = ['LUMINATE_SECURE_URL', 'LUMINATE_API_KEY', 'LUMINATE_API_LOGIN_NAME', 'LUMINATE_API_LOGIN_PASSWORD', 'LUMINATE_API_SECRET_KEY'];

function portSetting(value, name, fallback) {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new TypeError(`${name} must be a port number 0-65535, got ${JSON.stringify(value)}.`);
  return n;
}

function formIdSetting(value, name, fallback) {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,12}$/.test(value)) throw new TypeError(`${name} must be a donation form id (digits), got ${JSON.stringify(value)}.`);
  return value;
}

/**
 * TRUST_PROXY is passed to `app.set('trust proxy', …)`, which decides whether X-Forwarded-Proto
 * and -For are believed (and so whether the request counts as https for the secure cookie and the
 * bridge's callback URL). Unset: no proxy, nothing forwarded is trusted. `true`/`false`; a hop
 * count such as `1` (one TLS-terminating proxy in front); or addresses/subnets/names Express knows,
 * e.g. `loopback` or `10.0.0.0/8, 127.0.0.1`. Never `true` when clients can reach the app directly.
 */
function trustProxySetting(value) {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** REDIS_URL: sessions and the bridge's state in Redis (several instances). Never echoed: it may hold a password. */
function redisUrlSetting(value) {
  if (value === undefined || value === '') return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(value)) throw new TypeError('REDIS_URL must be a redis:// or rediss:// URL.');
  return value;
}

/** LUMINATE_PREPARE: `true` turns the bridge's `prepare` on (the token is minted when the pointer rests on Donate). */
function prepareSetting(value) {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new TypeError(`LUMINATE_PREPARE must be true or false, got ${JSON.stringify(value)}.`);
}

function readConfig(env, overrides) {
  const luminate = env.LUMINATE_SECURE_URL ? realLuminate(env) : undefined;
  return {
    port: portSetting(overrides.port ?? env.PORT, 'PORT', 3000),
    // The app is `localhost`; the stand-in is `127.0.0.1`: two different sites, as in production.
    host: env.HOST || 'localhost',
    fakePort: portSetting(overrides.fakePort ?? env.FAKE_LUMINATE_PORT, 'FAKE_LUMINATE_PORT', 4010),
    handoff: overrides.handoff ?? (env.LUMINATE_HANDOFF || 'singleSignOn'),
    prepare: prepareSetting(env.LUMINATE_PREPARE),
    donationFormId: formIdSetting(env.LUMINATE_DONATION_FORM_ID, 'LUMINATE_DONATION_FORM_ID', '1234'),
    monthlyFormId: formIdSetting(env.LUMINATE_MONTHLY_FORM_ID, 'LUMINATE_MONTHLY_FORM_ID', '5678'),
    production: env.NODE_ENV === 'production',
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    sessionSecret: env.SESSION_SECRET || undefined,
    baseUrl: env.PUBLIC_BASE_URL || undefined,
    usersFile: env.EXAMPLE_USERS_FILE,
    redisUrl: redisUrlSetting(env.REDIS_URL),
    luminate,
  };
}

/** A real Luminate site: all five variables, passed on explicitly (never printed). */
function realLuminate(env) {
  const missing = LUMINATE_VARS.filter((v) => !env[v]);
  if (missing.length) throw new TypeError(`LUMINATE_SECURE_URL is set, so a real site is used: also set ${missing.join(', ')}.`);
  return {
    secureUrl: env.LUMINATE_SECURE_URL.replace(/\/+$/, ''),
    apiKey: env.LUMINATE_API_KEY,
    apiLogin: { name: env.LUMINATE_API_LOGIN_NAME, password: env.LUMINATE_API_LOGIN_PASSWORD },
    apiSecretKey: env.LUMINATE_API_SECRET_KEY,
    signatureAlgorithm: env.LUMINATE_SIGNATURE_ALGORITHM || 'md5',
  };
}

module.exports = { readConfig };
