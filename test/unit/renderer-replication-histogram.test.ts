// Binning of upload-to-verified latencies for a rule's histogram.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  binLabel,
  binLatencies,
  binWidth,
  RTC_WINDOW_MS,
  summarizeLatencies,
} from '../../renderer/src/latency-histogram.js';

describe('binWidth', () => {
  it('picks the smallest round width that keeps within the bin count', () => {
    assert.equal(binWidth(0), 10);
    assert.equal(binWidth(100), 10);
    assert.equal(binWidth(2_300), 200);
    assert.equal(binWidth(2_999), 250);
    assert.equal(binWidth(9_000), 1_000);
    assert.equal(binWidth(11_000), 1_000);
    assert.equal(binWidth(12_000), 2_000);
    assert.equal(binWidth(20 * 60_000), 2 * 60_000);
    assert.equal(binWidth(5_000, 1), 10_000);
  });

  it('falls back to whole days for very long waits', () => {
    const day = 24 * 3_600_000;
    assert.equal(binWidth(30 * day, 12) % day, 0);
    assert.ok(Math.floor((30 * day) / binWidth(30 * day, 12)) + 1 <= 12);
  });
});

describe('binLatencies', () => {
  it('has no bins when nothing was measured', () => {
    assert.deepEqual(binLatencies([]), []);
    assert.deepEqual(binLatencies([Number.NaN, -1, Number.POSITIVE_INFINITY]), []);
  });

  it('puts every value in exactly one bin, from 0 to past the largest', () => {
    const values = [0, 120, 480, 999, 1000, 1001, 2_400, 2_999];
    const bins = binLatencies(values);
    assert.equal(
      bins.reduce((n, b) => n + b.count, 0),
      values.length,
    );
    assert.equal(bins[0]?.fromMs, 0);
    const width = (bins[0]?.toMs ?? 0) - (bins[0]?.fromMs ?? 0);
    assert.equal(width, 250);
    for (let i = 1; i < bins.length; i++) {
      assert.equal(bins[i]?.fromMs, bins[i - 1]?.toMs, 'bins touch');
    }
    const last = bins[bins.length - 1];
    assert.ok(last && last.fromMs <= 2_999 && 2_999 < last.toMs);
    // Lower edge inclusive, upper exclusive: 1000 falls in 1000–1250.
    assert.equal(bins.find((b) => b.fromMs === 1000)?.count, 2);
    assert.equal(bins.find((b) => b.fromMs === 750)?.count, 1);
  });

  it('labels bins in the unit of their width', () => {
    assert.equal(binLatencies([100])[0]?.label, '0–10 ms');
    assert.deepEqual(
      binLatencies([1500, 4000]).map((b) => b.label),
      [
        '0–0.5 s',
        '0.5–1 s',
        '1–1.5 s',
        '1.5–2 s',
        '2–2.5 s',
        '2.5–3 s',
        '3–3.5 s',
        '3.5–4 s',
        '4–4.5 s',
      ],
    );
    assert.equal(binLabel(15 * 60_000, 30 * 60_000), '15–30 min');
    assert.equal(binLabel(0, 3_600_000), '0–1 h');
  });

  it('marks the bins past the 15-minute RTC window', () => {
    const bins = binLatencies([60_000, 20 * 60_000]);
    assert.ok(bins.every((b) => b.pastRtc === b.fromMs >= RTC_WINDOW_MS));
    assert.ok(bins.some((b) => b.pastRtc));
    assert.equal(
      bins.filter((b) => b.pastRtc).reduce((n, b) => n + b.count, 0),
      1,
    );
  });

  it('respects the bin limit', () => {
    const values = Array.from({ length: 500 }, (_, i) => i * 997);
    assert.ok(binLatencies(values, 8).length <= 8);
    assert.ok(binLatencies(values).length <= 12);
  });
});

describe('long tails', () => {
  it('puts a far tail into one open last bin so the bulk keeps its shape', () => {
    const values = [...Array.from({ length: 99 }, (_, i) => 500 + i * 40), 17 * 60_000];
    const bins = binLatencies(values);
    assert.ok(bins.length <= 12);
    const open = bins[bins.length - 1];
    assert.equal(open?.toMs, Number.POSITIVE_INFINITY);
    assert.equal(open?.count, 1);
    assert.equal(open?.pastRtc, true, 'the open bin holds a copy past the RTC window');
    assert.match(open?.label ?? '', /^≥ /);
    assert.equal(
      bins.reduce((n, b) => n + b.count, 0),
      values.length,
    );
    assert.ok(bins.slice(0, -1).filter((b) => b.count > 0).length >= 5, 'the bulk is spread out');
  });

  it('keeps plain bins for few values or no real tail', () => {
    const few = binLatencies([100, 200, 60_000]);
    assert.ok(few.every((b) => Number.isFinite(b.toMs)));
    const even = binLatencies(Array.from({ length: 50 }, (_, i) => i * 100));
    assert.ok(even.every((b) => Number.isFinite(b.toMs)));
  });
});

describe('summarizeLatencies', () => {
  it('gives count, median, 95th percentile, slowest and RTC breaches', () => {
    const s = summarizeLatencies([5, 1, 3, 2, 4, 16 * 60_000]);
    assert.equal(s.count, 6);
    assert.equal(s.medianMs, 3);
    assert.equal(s.p95Ms, 16 * 60_000);
    assert.equal(s.maxMs, 16 * 60_000);
    assert.equal(s.pastRtc, 1);
  });

  it('is empty for no values', () => {
    assert.deepEqual(summarizeLatencies([]), {
      count: 0,
      medianMs: null,
      p95Ms: null,
      maxMs: null,
      pastRtc: 0,
    });
  });
});
