// The tests' seeded PRNG is the project's own mulberry32 (datasets/random.ts),
// so one seed names one sequence everywhere.
export { seededRandom as mulberry32 } from '../../datasets/random.js';
