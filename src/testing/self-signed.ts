import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away self-signed certificate for `localhost`, 127.0.0.1 and ::1, valid one day, for
 * HTTPS tests. Node has no certificate generator, so this runs the `openssl` command (no npm
 * dependency). Returns PEM strings (RSA 2048); synchronous, up to 60 s.
 * @throws Error "createSelfSignedCertificate: running `openssl req -x509 ...` failed…" (the failure as
 * `cause`) when openssl is missing, older than 1.1.1 (no `-addext`) or fails.
 */
export function createSelfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'luminate-sso-bridge-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
        '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        '-keyout', keyPath, '-out', certPath,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } catch (err) {
    throw new Error(
      'createSelfSignedCertificate: running `openssl req -x509 ...` failed; install OpenSSL 1.1.1+ ' +
        'or pass your own key and certificate.',
      { cause: err },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
