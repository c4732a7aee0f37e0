'use strict';
/**
 * Child process of the visitor benchmark: the example site (example-app/app.js) in real-site
 * mode, configured by the environment the parent forked it with (LUMINATE_*, PUBLIC_BASE_URL,
 * EXAMPLE_USERS_FILE, NODE_EXTRA_CA_CERTS for the stand-in's certificate…). Plain HTTP on
 * 127.0.0.1; the parent puts TLS and the delaying proxy in front.
 */
const { serveParent } = require('./lib/children');
const { startExampleApp } = require('../example-app/app');

let running;

serveParent({
  async start() {
    running = await startExampleApp({ env: process.env });
    return { port: Number(new URL(running.appUrl).port), handoff: running.handoff };
  },
  async exit() {
    await running?.close();
  },
});
