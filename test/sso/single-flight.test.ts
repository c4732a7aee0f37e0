import { StoreSingleFlight } from '../../src/store/single-flight';
import { MemoryStore } from '../../src/store/store';
import { checkEmail } from '../../src/sso/email';
import { maskEmail } from '../../src/debug';

/** The bridge's single-flight without a shared store: over its default MemoryStore, this process only. */
const inProcess = () => new StoreSingleFlight(new MemoryStore(), { lockTtlMs: 10_000, waitMs: 1000 });

describe('StoreSingleFlight over the default MemoryStore', () => {
  it('shares one running task per key, runs keys independently, and forgets a key once settled', async () => {
    const flight = inProcess();
    let runs = 0;
    let finish!: (v: string) => void;
    const task = () => { runs += 1; return new Promise<string>((r) => { finish = r; }); };
    const waiting = Array.from({ length: 20 }, () => flight.run('a@example.org', task));
    const other = flight.run('b@example.org', async () => 'b');
    expect(flight.size).toBe(2);
    await new Promise((resolve) => setImmediate(resolve)); // the lock is taken, the task started
    expect(runs).toBe(1);
    finish('a');
    expect(await Promise.all(waiting)).toEqual(Array(20).fill('a'));
    expect(await other).toBe('b');
    expect(flight.size).toBe(0);
    await flight.run('a@example.org', async () => 'again');
    expect(runs).toBe(1); // the second run used its own task
  });

  it('a failure reaches every waiter once and is not remembered', async () => {
    const flight = inProcess();
    const boom = () => Promise.reject(new Error('boom'));
    await expect(Promise.all([flight.run('k', boom), flight.run('k', boom)])).rejects.toThrow('boom');
    expect(flight.size).toBe(0);
    const sync = () => { throw new Error('sync'); };
    await expect(flight.run('k', sync as () => Promise<never>)).rejects.toThrow('sync');
    expect(flight.size).toBe(0);
    await expect(flight.run('k', async () => 'ok')).resolves.toBe('ok');
  });
});

describe('emails', () => {
  it('are trimmed for Luminate and lowercased for keys', () => {
    expect(checkEmail('  Ada.Lovelace@Example.ORG ')).toEqual({ address: 'Ada.Lovelace@Example.ORG', key: 'ada.lovelace@example.org' });
    expect(checkEmail('o\'brien+give@mail.example.co.uk')?.key).toBe('o\'brien+give@mail.example.co.uk');
  });

  it.each([[''], ['ada'], ['@example.org'], ['ada@'], ['ada@example'], ['a b@example.org'], [`${'a'.repeat(65)}@example.org`], [42]])('refuse %p', (value) => {
    expect(checkEmail(value)).toBeUndefined();
  });

  it('are masked in debug output', () => {
    expect(maskEmail('ada@example.org')).toBe('a***@example.org');
    expect(maskEmail('')).toBe('(none)');
    expect(maskEmail('no-at-sign')).toBe('[email, 10 chars]');
  });
});
