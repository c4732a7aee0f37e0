'use strict';
/** `npm start`: builds the package, then runs the example site until Ctrl+C (SIGINT) or SIGTERM. */
const { startExampleApp } = require('./app');

startExampleApp().then(
  (running) => {
    const lines = [
      'Example host site with luminate-sso-bridge',
      `  site:      ${running.appUrl}`,
      `  Luminate:  ${running.luminateUrl}${running.fake ? '   (the local stand-in, not Blackbaud)' : ''}`,
      `  handoff:   ${running.handoff}`,
      `  state:     ${running.sharedState === 'redis' ? 'sessions and bridge state in Redis (REDIS_URL): several instances can share them' : 'in memory (one process)'}`,
    ];
    if (running.demoLogins.length) {
      lines.push('Demo logins (user / password):', ...running.demoLogins.map((d) => `  ${d.username} / ${d.password}`));
    }
    lines.push('Press Ctrl+C to stop.');
    console.log(lines.join('\n'));
    const stop = (signal) => {
      console.log(`\n${signal}: stopping`);
      running.close().then(
        () => undefined, // nothing else holds the event loop: the process ends by itself
        (err) => {
          console.error(err);
          process.exitCode = 1;
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (err) => {
    console.error(`example-app: could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
