import createDebug from 'debug';

/**
 * Collects every `luminate-sso-bridge:*` debug line the enclosing describe block's tests produce
 * (for the "no secret in any log line" tests). Call at the top of a describe block.
 */
export function captureDebugLines(): string[] {
  const lines: string[] = [];
  const originalLog = createDebug.log;
  beforeAll(() => {
    createDebug.enable('luminate-sso-bridge:*');
    createDebug.log = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    };
  });
  afterAll(() => {
    createDebug.log = originalLog;
    createDebug.disable();
  });
  return lines;
}
