import type { CommandModule } from 'yargs';
import { BACKEND_NAMES, selectBackend, type BackendChoice } from '../../backend.js';
import { UserError } from '../errors.js';

interface Args { backend: BackendChoice }

export const backendCommand: CommandModule<object, Args> = {
  command: 'backend',
  describe: 'show which tfjs backend qat would use here (node > wasm > cpu)',
  builder: (y) =>
    y.option('backend', { choices: BACKEND_NAMES as BackendChoice[], default: 'auto' as BackendChoice, describe: 'backend to try' }) as never,
  handler: async (args) => {
    try {
      const name = await selectBackend(args.backend);
      console.log(`backend: ${name}`);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
  },
};
