// The `time` block's formats (rest-protocol.md §2.2): PHP floats and date('c') strings.
import { afterEach, describe, expect, it } from 'vitest';
import { encodePhpJson } from '../../src/php/json.js';
import { encodeTimeBlock } from '../../src/rest/envelope.js';
import { buildTimeBlock, formatDateC } from '../../src/rest/time.js';

const originalZone = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalZone;
});

describe('formatDateC', () => {
  it('renders UTC as +00:00, never Z, and truncates to whole seconds', () => {
    process.env.TZ = 'UTC';
    expect(formatDateC(1722848533.99)).toBe('2024-08-05T09:02:13+00:00');
  });

  it('uses the server zone with a numeric offset, also negative and half-hour ones', () => {
    process.env.TZ = 'Asia/Kolkata';
    expect(formatDateC(0)).toBe('1970-01-01T05:30:00+05:30');
    process.env.TZ = 'America/New_York';
    expect(formatDateC(1722848533)).toBe('2024-08-05T05:02:13-04:00');
  });
});

describe('buildTimeBlock', () => {
  it('prints floats with a fractional part even when whole, and an integer reset time', () => {
    process.env.TZ = 'UTC';
    const block = buildTimeBlock(1722848533, 1722848534, 0, { operating: 0, resetAt: 1722849133.7 });
    expect(encodePhpJson(block)).toBe(
      '{"start":1722848533.0,"finish":1722848534.0,"duration":1.0,"processing":0.0,' +
        '"date_start":"2024-08-05T09:02:13+00:00","date_finish":"2024-08-05T09:02:14+00:00",' +
        '"operating_reset_at":1722849133,"operating":0.0}',
    );
  });

  it('keeps microsecond precision like microtime(true)', () => {
    const block = buildTimeBlock(1722848533.4076812, 1722848533.4427734, 0.0000329, { operating: 0.25, resetAt: 1 });
    expect(encodePhpJson(block)).toMatch(/^\{"start":1722848533.407681,"finish":1722848533.442773,"duration":0.035092,"processing":0.000033,/);
  });
});

describe('the fast paths of every answer', () => {
  it('formats the same second again in a zone set since the last call', () => {
    process.env.TZ = 'UTC';
    expect(formatDateC(1722848533)).toBe('2024-08-05T09:02:13+00:00');
    process.env.TZ = 'Asia/Kolkata';
    expect(formatDateC(1722848533.5)).toBe('2024-08-05T14:32:13+05:30');
    process.env.TZ = 'Europe/London';
    expect(formatDateC(1722848533)).toBe('2024-08-05T10:02:13+01:00');
  });

  it('encodes the time block to the same bytes as the generic PHP encoder', () => {
    process.env.TZ = 'America/New_York';
    const blocks = [
      buildTimeBlock(1722848533, 1722848534, 0, { operating: 0, resetAt: 1722849133.7 }),
      buildTimeBlock(1722848533.4076812, 1722848533.4427734, 0.0000329, { operating: 0.25, resetAt: 1 }),
      buildTimeBlock(0.0000001, 1e21, -1, { operating: 123456789.5, resetAt: Number.NaN }),
    ];
    for (const block of blocks) expect(encodeTimeBlock(block)).toBe(encodePhpJson(block));
  });
});
