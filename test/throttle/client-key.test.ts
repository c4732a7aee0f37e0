import { throttleKeyForAddress } from '../../src/http/client-key';

describe('throttleKeyForAddress: the key both throttles count a client address under', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::FFFF:c633:6407', '198.51.100.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::198.51.100.7', '198.51.100.7'],
    ['64:ff9b:1:abcd::c633:6407', '198.51.100.7'],
    ['64:ff9b:2::198.51.100.7', '64:ff9b:2:0::/64'],
    ['198.51.100.7:51234', '198.51.100.7'],
    ['[2001:db8:1:2::1]:443', '2001:db8:1:2::/64'],
    ['[::ffff:198.51.100.7]:443', '198.51.100.7'],
    ['[fe80::1%eth0]', 'fe80:0:0:0::/64'],
    ['198.51.100.7:99999999', '198.51.100.7:99999999'],
    ['[198.51.100.7]:443', '[198.51.100.7]:443'],
    ['x'.repeat(500), 'x'.repeat(64)],
    ['unknown', 'unknown'],
  ])('%s → %s', (address, key) => {
    expect(throttleKeyForAddress(address)).toBe(key);
  });

  it('two addresses of one /64 share a key; the neighbouring /64 does not', () => {
    expect(throttleKeyForAddress('2001:db8:a:b::1')).toBe(throttleKeyForAddress('2001:db8:a:b:9:8:7:6'));
    expect(throttleKeyForAddress('2001:db8:a:c::1')).not.toBe(throttleKeyForAddress('2001:db8:a:b::1'));
  });
});
