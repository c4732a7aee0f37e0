import { readCredentials } from '../../src/login/credentials';

const CONFIG = { fields: ['member_id', 'last_name'], identifierField: 'member_id', returnToParam: 'returnTo' };

describe('readCredentials: a refused field name as it reaches log lines', () => {
  it('replaces every control character of the name, C1 ones (8-bit CSI) included', () => {
    const read = readCredentials({ 'a\u009b\u009b31m\u0007b': 'x', member_id: 'M-1', last_name: 'L' }, CONFIG);
    expect(read.ok).toBe(false);
    const message = read.ok ? '' : read.outcome === 'bad-request' ? read.error.message : '';
    expect(message).toContain('"a??31m?b"');
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
