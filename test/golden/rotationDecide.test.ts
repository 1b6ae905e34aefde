import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { decide, type RotationEvent } from '../../src/core/rotation/decide.js';
import { RotationState, type Rotation } from '../../src/core/rotation/state.js';
import { dateField, field, goldenCases } from './golden.js';

/**
 * rotation-decide/<case>.input.json: `{ about, now, rotation: { status, secretKind, state }, event }`,
 * the stored rotation (its state exactly as the store keeps it) and one event;
 * <case>.expected.json: the Decision.
 */
describe('golden: rotation decide()', () => {
  goldenCases(new URL('./rotation-decide/', import.meta.url), (input) => {
    const rotation = field(input, 'rotation') as Pick<Rotation, 'status' | 'secretKind' | 'state'>;
    const state = RotationState.parse(rotation.state);
    // Written out in full, as the store holds it: no default filled in, no unknown field dropped.
    assert.deepEqual(state, rotation.state, 'the input state is not a complete stored state');
    return decide({ status: rotation.status, secretKind: rotation.secretKind, state }, field(input, 'event') as RotationEvent, dateField(input, 'now'));
  });
});
