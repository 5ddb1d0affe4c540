import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDeadlines } from './run-check.js';

test('without timeout check, connect and answer share one deadline: start + inter', () => {
  let now = 1000;
  const d = checkDeadlines(2000, { connect: 5000 }, 1000, () => now);
  assert.equal(d.connect(), 3000);
  now = 1500;
  assert.equal(d.answer(), 3000);
});

test('with timeout check: connect within min(timeout connect, inter), then timeout check from the connection', () => {
  let now = 1000;
  const long = checkDeadlines(2000, { connect: 5000, check: 300 }, 1000, () => now);
  assert.equal(long.connect(), 3000, 'a long timeout connect does not slow checks down: inter caps it');
  const short = checkDeadlines(2000, { connect: 100, check: 300 }, 1000, () => now);
  assert.equal(short.connect(), 1100);
  now = 1040;
  assert.equal(short.answer(), 1340);
});

test('timeout check without timeout connect: connect bounded by inter, answer by timeout check', () => {
  const now = 10;
  const d = checkDeadlines(2000, { check: 300 }, 10, () => now);
  assert.equal(d.connect(), 2010);
  assert.equal(d.answer(), 310);
});
