'use strict';
/**
 * The example site's own user accounts: salted scrypt hashes, constant-time comparison, and the
 * Luminate constituent each account maps to. A real site keeps these in its database.
 */
const fs = require('node:fs');
const { randomBytes, scrypt, timingSafeEqual } = require('node:crypto');

// scrypt cost: 2^15 needs 32 MiB per hash. OWASP suggests 2^17 for production (raise maxmem too).
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
const MAX_PASSWORD_LENGTH = 1024; // hashing a megabyte of "password" is a cheap way to burn CPU

function deriveKey(password, salt) {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

async function hashPassword(password) {
  const salt = randomBytes(16);
  return { salt, key: await deriveKey(password, salt) };
}

/** Demo accounts on the stand-in Luminate: user `ada`, password `donate-ada` → cons_id 1001641, … */
function demoUsers(constituents) {
  return constituents.map((c) => ({
    username: c.userName,
    password: `donate-${c.userName}`,
    name: `${c.firstName} ${c.lastName}`,
    consId: c.consId,
  }));
}

/** Reads `EXAMPLE_USERS_FILE`: a JSON array of { username, password, name, consId | memberId }. */
function loadUsersFile(file) {
  if (!file) {
    throw new TypeError(
      'EXAMPLE_USERS_FILE is required with a real Luminate site: a JSON file mapping this site\'s users to ' +
        'constituents, e.g. [{ "username": "ada", "password": "…", "name": "Ada", "consId": "1001641" }].',
    );
  }
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${file}: expected a non-empty JSON array of users.`);
  list.forEach((u, i) => {
    const ok =
      u && typeof u.username === 'string' && u.username.trim() !== '' &&
      typeof u.password === 'string' && u.password !== '' &&
      (typeof u.consId === 'string' ? /^\d{1,20}$/.test(u.consId) : typeof u.memberId === 'string' && u.memberId !== '');
    if (!ok) throw new TypeError(`${file}: user ${i} needs username, password and a consId (digits, as a string) or memberId.`);
  });
  return list;
}

/** Hashes the given accounts once; `verify()` answers the account or null, in constant-ish time. */
async function createUserStore(list) {
  const accounts = new Map();
  for (const u of list) {
    const { salt, key } = await hashPassword(u.password);
    const username = u.username.trim();
    const ref = u.consId !== undefined ? { consId: u.consId } : { memberId: u.memberId };
    accounts.set(username, { username, name: u.name || username, ...ref, salt, key });
  }
  // Unknown user names are checked against this, so they take as long as a wrong password.
  const decoy = await hashPassword(randomBytes(16).toString('hex'));

  return {
    usernames: () => [...accounts.keys()],
    async verify(username, password) {
      if (typeof username !== 'string' || typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) return null;
      const account = accounts.get(username.trim());
      const { salt, key } = account ?? decoy;
      const candidate = await deriveKey(password, salt);
      if (!timingSafeEqual(candidate, key) || !account) return null;
      const { salt: _s, key: _k, ...user } = account;
      return user;
    },
  };
}

module.exports = { createUserStore, demoUsers, loadUsersFile };
