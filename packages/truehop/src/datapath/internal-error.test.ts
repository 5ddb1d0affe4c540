// The internal-error helpers: a guarded timer hands its callback's exception to the owner and
// returns normally (the event loop never sees it); a transport's mark survives to the owner's
// error handler; the logged description is one line with the stack, whatever was thrown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeInternalError, guardedTimer, isInternal, markInternal, type InternalErrorSink } from './internal-error.js';

class Owner implements InternalErrorSink {
  readonly caught: unknown[] = [];
  ran = 0;
  onInternalError(err: unknown): void {
    this.caught.push(err);
  }
}

describe('internal-error', () => {
  it('guardedTimer: the callback runs with its owner; what it throws goes to that owner, not out', () => {
    const bug = new Error('bug in a timer');
    const fine = guardedTimer((o: Owner) => void o.ran++);
    const broken = guardedTimer((o: Owner) => {
      o.ran++;
      throw bug;
    });
    const owner = new Owner();
    fine(owner);
    assert.doesNotThrow(() => broken(owner));
    assert.equal(owner.ran, 2);
    assert.deepEqual(owner.caught, [bug]);
  });

  it('guardedTimer under a real timer: the process goes on (no uncaughtException)', async () => {
    const owner = new Owner();
    let uncaught = 0;
    const onUncaught = (): void => void uncaught++;
    process.on('uncaughtException', onUncaught);
    try {
      await new Promise<void>((resolve) => {
        setTimeout(guardedTimer((o: Owner) => {
          setImmediate(resolve);
          throw new Error(`thrown by a timer of ${o.caught.length}`);
        }), 1, owner);
      });
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
    assert.equal(uncaught, 0);
    assert.equal(owner.caught.length, 1);
  });

  it('markInternal: an Error keeps its identity and message; other values become Errors; unmarked errors are not internal', () => {
    const e = new Error('x');
    assert.equal(markInternal(e), e);
    assert.equal(isInternal(e), true);
    const fromString = markInternal('oops');
    assert.equal(fromString.message, 'oops');
    assert.equal(isInternal(fromString), true);
    assert.equal(isInternal(new Error('plain')), false);
    assert.equal(isInternal('not an error'), false);
  });

  it('describeInternalError: one line, the message first then the frames; any thrown value; never throws', () => {
    const line = describeInternalError(new TypeError('bad thing'));
    assert.match(line, /^TypeError: bad thing \| at /);
    assert.doesNotMatch(line, /\n/);
    assert.equal(describeInternalError(42), 'thrown value: 42');
    const hostile = new Error('h');
    Object.defineProperty(hostile, 'stack', { get() { throw new Error('no stack for you'); } });
    assert.equal(describeInternalError(hostile), 'an exception that cannot be described');
  });
});
