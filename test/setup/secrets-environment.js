'use strict';
/**
 * Jest's node environment, plus one step: when a test file has run completely — its own afterAll
 * hooks included, which close servers and may still log — it asks the file's secrets capture
 * (test/setup/capture-secrets.ts) for leaks and fails the file if there are any. A plain afterAll
 * in the setup file would run before the test file's own afterAll hooks, and miss their output.
 */
const { TestEnvironment } = require('jest-environment-node');

const FINISH = Symbol.for('luminate-sso-bridge.test.secrets-finish');
const UNDER_ENVIRONMENT = Symbol.for('luminate-sso-bridge.test.secrets-environment');

class SecretsEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global[UNDER_ENVIRONMENT] = true;
  }

  async handleTestEvent(event, state) {
    if (event.name !== 'run_finish') return;
    const finish = this.global[FINISH];
    if (typeof finish !== 'function') return;
    delete this.global[FINISH];
    const problem = finish();
    if (problem) state.unhandledErrors.push(problem);
  }

  /** A file that never ran (e.g. it did not compile) still has its capture undone. */
  async teardown() {
    const finish = this.global[FINISH];
    delete this.global[FINISH];
    if (typeof finish === 'function') finish();
    await super.teardown();
  }
}

module.exports = SecretsEnvironment;
