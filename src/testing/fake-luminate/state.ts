import { randomBytes } from 'node:crypto';
import { checkConstituent } from './options';
import type { FakeConstituent, FakeIssuedToken, FakeRequestRecord } from './types';

/** Load-balancer routing id the stand-in hands out (`<session>.<app>` on real sites). */
export const ROUTING_ID = '00000000.app1';

/** A token like Luminate's: 64 random bytes, base64url, `..` where `=` padding would be. */
function newToken(): string {
  return `${randomBytes(64).toString('base64url')}..`;
}

/** Tokens, nonces, browser sessions and the constituent list of one stand-in site. */
export class FakeState {
  readonly requests: FakeRequestRecord[] = [];
  readonly issuedTokens: FakeIssuedToken[] = [];
  /** Browser session cookie → cons_id. */
  readonly sessions = new Map<string, string>();
  /** remember_me cookie → cons_id. Recorded only; the stand-in does not log visitors in by it. */
  readonly remembered = new Map<string, string>();
  readonly constituents: FakeConstituent[];
  /** Web Services sessions: SessionId → last used (ms). */
  readonly wsSessions = new Map<string, number>();
  private readonly byToken = new Map<string, FakeIssuedToken>();
  private readonly byNonce = new Map<string, FakeIssuedToken>();

  constructor(constituents: FakeConstituent[], private readonly now: () => number) {
    this.constituents = constituents;
  }

  addConstituent(c: FakeConstituent): void {
    this.constituents.push(checkConstituent(c, this.constituents));
  }

  findByConsId(consId: string): FakeConstituent | undefined {
    return this.constituents.find((c) => c.consId === consId);
  }

  findByMemberId(memberId: string): FakeConstituent[] {
    return this.constituents.filter((c) => c.memberId === memberId);
  }

  issueToken(consId: string, withNonce: boolean, ttlSeconds: number): FakeIssuedToken & { jsessionId: string } {
    const issued: FakeIssuedToken = {
      token: newToken(),
      consId,
      ...(withNonce ? { nonce: randomBytes(24).toString('base64url') } : {}),
      routingId: ROUTING_ID,
      expiresAt: this.now() + ttlSeconds * 1000,
      used: false,
      nonceUsed: false,
    };
    this.issuedTokens.push(issued);
    this.byToken.set(issued.token, issued);
    if (issued.nonce) this.byNonce.set(issued.nonce, issued);
    return { ...issued, jsessionId: randomBytes(16).toString('hex').toUpperCase() };
  }

  /** The token if it is known, unexpired and unused; it is then marked used (single use). */
  redeemToken(token: string): FakeIssuedToken | undefined {
    const issued = this.byToken.get(token);
    if (!issued || issued.used || this.now() >= issued.expiresAt) return undefined;
    issued.used = true;
    return issued;
  }

  /** Same for a nonce (EstablishSession); a nonce lives as long as its token. */
  redeemNonce(nonce: string): FakeIssuedToken | undefined {
    const issued = this.byNonce.get(nonce);
    if (!issued || issued.nonceUsed || this.now() >= issued.expiresAt) return undefined;
    issued.nonceUsed = true;
    return issued;
  }

  startSession(consId: string): string {
    const id = `${randomBytes(18).toString('base64url')}.app1`;
    this.sessions.set(id, consId);
    return id;
  }

  remember(consId: string): string {
    const id = randomBytes(24).toString('base64url');
    this.remembered.set(id, consId);
    return id;
  }

  /** cons_id of the browser session, if the cookie names a live one. */
  sessionConsId(cookie: string | undefined): string | undefined {
    return cookie === undefined ? undefined : this.sessions.get(cookie);
  }

  reset(): void {
    this.requests.length = 0;
    this.issuedTokens.length = 0;
    this.sessions.clear();
    this.remembered.clear();
    this.wsSessions.clear();
    this.byToken.clear();
    this.byNonce.clear();
  }
}
