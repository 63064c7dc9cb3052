import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as undici from 'undici';
import { Pool, undiciErrors } from './undici-parts.ts';

test("the parts loaded from undici's files are the classes its entry point exports", () => {
  assert.equal(Pool, undici.Pool);
  assert.equal(undiciErrors.ConnectTimeoutError, undici.errors.ConnectTimeoutError);
  assert.equal(undiciErrors.UndiciError, undici.errors.UndiciError);
});
