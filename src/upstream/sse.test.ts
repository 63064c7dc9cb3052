import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SseRecord } from '../core/stream-events.ts';
import { createSseParser, parseSseText, SseEventSplitter } from './sse.ts';

const STREAM = 'event: a\r\ndata: one\r\n\r\n: comment\ndata: two\ndata: lines\n\ndata: {"x":"\\n"}\r\rdata: last\r\n\r\n';
const EXPECTED: SseRecord[] = [{ event: 'a', data: 'one' }, { data: 'two\nlines' }, { data: '{"x":"\\n"}' }, { data: 'last' }];

function parseInPieces(text: string, cuts: number[]): SseRecord[] {
  const out: SseRecord[] = [];
  const parser = createSseParser((r) => out.push(r));
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    parser.feed(text.slice(at, cut));
    at = cut;
  }
  parser.end();
  return out;
}

function splitInPieces(bytes: Buffer, cuts: number[]): string[] {
  const splitter = new SseEventSplitter();
  const out: string[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    for (const e of splitter.push(bytes.subarray(at, cut))) out.push(e.toString());
    at = cut;
  }
  const rest = splitter.rest();
  if (rest !== undefined) out.push(`REST:${rest.toString()}`);
  return out;
}

describe('SSE parser', () => {
  test('whole text', () => assert.deepEqual(parseSseText(STREAM), EXPECTED));
  test('cut at every position, and at every pair of positions, gives the same records', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      assert.deepEqual(parseInPieces(STREAM, [i]), EXPECTED, `cut at ${i}`);
      for (let j = i; j <= STREAM.length; j += 3) assert.deepEqual(parseInPieces(STREAM, [i, j]), EXPECTED, `cuts at ${i},${j}`);
    }
  });
  test('one byte at a time', () => {
    assert.deepEqual(
      parseInPieces(
        STREAM,
        Array.from({ length: STREAM.length }, (_, i) => i),
      ),
      EXPECTED,
    );
  });
});

describe('SseEventSplitter', () => {
  const bytes = Buffer.from('data: 1\n\ndata: 2\r\n\r\nevent: x\ndata: 3\n\ndata: tail');
  const expected = ['data: 1\n\n', 'data: 2\r\n\r\n', 'event: x\ndata: 3\n\n', 'REST:data: tail'];
  test('whole', () => assert.deepEqual(splitInPieces(bytes, []), expected));
  test('cut at every pair of positions (terminators split across up to three chunks)', () => {
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        for (const k of [j, j + 1, j + 2]) {
          if (k > bytes.length) continue;
          assert.deepEqual(splitInPieces(bytes, [i, j, k]), expected, `cuts at ${i},${j},${k}`);
        }
      }
    }
  });
  test('one byte at a time', () => {
    assert.deepEqual(
      splitInPieces(
        bytes,
        Array.from({ length: bytes.length }, (_, i) => i),
      ),
      expected,
    );
  });
});

describe('one long event costs linear time', () => {
  // A Gemini image answer is one multi-megabyte event; it used to be rescanned from its start on
  // every 16 KB chunk (12 MB: 11 s of CPU). Linear, the 12 MB event takes tens of milliseconds;
  // the bound is generous so a loaded machine does not fail it, and still far below quadratic.
  const size = 12 * 1024 * 1024;
  const chunkSize = 16 * 1024;
  const payload = `data: {"inlineData":"${'A'.repeat(size)}"}\r\n\r\n`;

  test('the parser: 12 MB in 16 KB chunks', () => {
    let records = 0;
    let length = 0;
    const parser = createSseParser((r) => {
      records++;
      length = r.data.length;
    });
    const started = performance.now();
    for (let i = 0; i < payload.length; i += chunkSize) parser.feed(payload.slice(i, i + chunkSize));
    parser.end();
    const ms = performance.now() - started;
    assert.equal(records, 1);
    assert.equal(length, size + 17);
    assert.ok(ms < 1500, `12 MB took ${ms.toFixed(0)} ms`);
  });

  test('the splitter: 12 MB in 16 KB chunks, copied once', () => {
    const bytes = Buffer.from(payload);
    const splitter = new SseEventSplitter();
    const started = performance.now();
    let copied = 0;
    const events: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) {
      const before = process.memoryUsage().arrayBuffers;
      for (const e of splitter.push(bytes.subarray(i, i + chunkSize))) events.push(e);
      copied += Math.max(0, process.memoryUsage().arrayBuffers - before);
    }
    const ms = performance.now() - started;
    assert.equal(events.length, 1);
    assert.equal(events[0]?.length, bytes.length);
    assert.equal(splitter.rest(), undefined);
    // Quadratic re-concatenation would allocate about size^2 / (2 * chunk) = 4.6 TB-scale; linear is ~1x.
    assert.ok(copied < 4 * bytes.length, `allocated ${copied} bytes for a ${bytes.length}-byte event`);
    assert.ok(ms < 1500, `12 MB took ${ms.toFixed(0)} ms`);
  });
});
