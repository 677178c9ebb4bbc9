// Learning-rate schedules as pure functions of the step, so a resumed run
// continues on exactly the same curve.
import { UserError } from '../src/errors.js';

export type ScheduleName = 'constant' | 'cosine' | 'step';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['constant', 'cosine', 'step'];

export function checkSchedule(name: string): ScheduleName {
  if ((SCHEDULE_NAMES as readonly string[]).includes(name)) return name as ScheduleName;
  throw new UserError(`unknown learning-rate schedule '${name}'; choose ${SCHEDULE_NAMES.join(', ')}`);
}

/**
 * cosine: decays from `base` to 0 over `totalSteps`;
 * step: ×0.1 at 50% and again at 75% of training.
 */
export function learningRate(schedule: ScheduleName, base: number, step: number, totalSteps: number): number {
  const p = totalSteps > 0 ? Math.min(1, step / totalSteps) : 0;
  switch (schedule) {
    case 'constant':
      return base;
    case 'cosine':
      return base * 0.5 * (1 + Math.cos(Math.PI * p));
    case 'step':
      return base * (p >= 0.75 ? 0.01 : p >= 0.5 ? 0.1 : 1);
  }
}
