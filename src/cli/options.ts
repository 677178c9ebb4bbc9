// The options several commands share, described once so that `--run`,
// `--dataset` or `--backend` read the same in every command's --help.
import type { Options } from 'yargs';
import { BACKEND_NAMES } from '../backend.js';
import { DATASET_NAMES } from '../../datasets/catalog.js';

/** A run directory the command reads (required). */
export function runOption(describe = 'run directory written by qat train / qat calibrate'): Options {
  return { type: 'string', demandOption: true, describe };
}

/** --dataset, --data-dir and --limit for a command that reads a test split; `limit` says what N counts. */
export function testDataOptions(limit: string, group?: string): Record<'dataset' | 'data-dir' | 'limit', Options> {
  const g = group === undefined ? {} : { group };
  return {
    dataset: { type: 'string', ...g, describe: `${DATASET_NAMES.join(', ')} or an IDX directory (default: the run's)` },
    'data-dir': { type: 'string', ...g, describe: 'where to find IDX files for mnist / fashion-mnist' },
    limit: { type: 'number', ...g, describe: limit },
  };
}

/** --json: what the one JSON object holds. */
export function jsonOption(describe: string): Options {
  return { type: 'boolean', default: false, describe };
}

/** --backend, with what the backend is used for. */
export function backendOption(describe = 'tfjs backend', group?: string): Options {
  return { choices: BACKEND_NAMES, default: 'auto', ...(group === undefined ? {} : { group }), describe };
}
