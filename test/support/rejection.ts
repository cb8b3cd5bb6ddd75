/**
 * The error a promise is rejected with, checked to be of the expected class: fails the test when
 * the promise resolves or rejects with anything else. For tests that go on to read the error's
 * reason, code or message.
 */
import { expect } from 'vitest';

export async function rejectionOf<E>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}
